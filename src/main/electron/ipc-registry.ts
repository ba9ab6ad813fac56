// The one IPC registry. Every contract channel goes through here: sender check,
// then the shared dispatcher (zod parse, handler, output strip, envelope).
// Only type imports from electron, so the listener is unit-tested without a window.
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { IPC_EVENT, IPC_INVOKE, type EventName, type EventPayload } from '../../shared/contract';
import type { Envelope } from '../../shared/errors';
import { dispatch } from '../handlers/dispatch';
import { isTrustedFrameUrl, type TrustedOrigin } from '../handlers/sender-policy';
import type { EventSink, Handlers } from '../handlers/types';
import { createLogger } from '../services/log/logger';

const log = createLogger('ipc');

/** The parts of an invoke event the sender check reads. */
export interface InvokeEventLike {
  sender: Pick<WebContents, 'id'> & { mainFrame: unknown };
  senderFrame: { url: string; parent: unknown } | null;
}

export function createInvokeListener(
  handlers: Handlers,
  trusted: TrustedOrigin,
  isOwnWindow: (webContentsId: number) => boolean,
): (event: InvokeEventLike, channel: unknown, input: unknown) => Promise<Envelope<unknown>> {
  return async (event, channel, input) => {
    const frame = event.senderFrame;
    const ok =
      frame !== null &&
      frame.parent === null &&
      frame === event.sender.mainFrame &&
      isOwnWindow(event.sender.id) &&
      isTrustedFrameUrl(frame.url, trusted);
    if (!ok) {
      log.warn(`refused a call from an untrusted frame (webContents ${event.sender.id})`);
      return { ok: false, error: { code: 'FORBIDDEN_SENDER', message: 'Calls are accepted only from the console window.' } };
    }
    return dispatch(handlers, channel, input);
  };
}

export function registerIpc(
  ipcMain: IpcMain,
  handlers: Handlers,
  trusted: TrustedOrigin,
  isOwnWindow: (webContentsId: number) => boolean,
): () => void {
  const listener = createInvokeListener(handlers, trusted, isOwnWindow);
  ipcMain.handle(IPC_INVOKE, (event: IpcMainInvokeEvent, channel: unknown, input: unknown) =>
    listener(event as unknown as InvokeEventLike, channel, input),
  );
  return () => ipcMain.removeHandler(IPC_INVOKE);
}

/** Pushes contract events to the console windows that are still open. */
export function createWindowEventSink(targets: () => WebContents[]): EventSink {
  return {
    emit<K extends EventName>(event: K, payload: EventPayload<K>) {
      for (const wc of targets()) {
        if (!wc.isDestroyed()) wc.send(IPC_EVENT, event, payload);
      }
    },
  };
}
