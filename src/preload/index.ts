// The only bridge between the sandboxed renderer and main: invoke(channel, input)
// and subscribe(event, cb) for contract keys. Nothing else crosses.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT, IPC_INVOKE, isChannelName, isEventName } from '../shared/contract';
import { BRIDGE_KEY, type VaultConsoleBridge } from '../shared/bridge';

const bridge: VaultConsoleBridge = {
  invoke(channel, input) {
    if (!isChannelName(channel)) {
      return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_CHANNEL', message: 'Unknown channel.' } });
    }
    return ipcRenderer.invoke(IPC_INVOKE, channel, input);
  },
  subscribe(event, cb) {
    if (!isEventName(event)) throw new Error('Unknown event.');
    const listener = (_e: IpcRendererEvent, name: unknown, payload: unknown) => {
      // The renderer never sees the Electron event object (it carries the sender).
      if (name === event) cb(payload as Parameters<typeof cb>[0]);
    };
    ipcRenderer.on(IPC_EVENT, listener);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, listener);
    };
  },
};

contextBridge.exposeInMainWorld(BRIDGE_KEY, bridge);
