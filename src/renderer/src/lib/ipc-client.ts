// Typed client over the bridge the preload (or the browser harness) exposes.
// Types come from the contract; no runtime import, so zod stays out of the renderer.
import type { ChannelInput, ChannelName, ChannelOutput, EventName, EventPayload } from '../../../shared/contract';
import { BRIDGE_KEY, type VaultConsoleBridge } from '../../../shared/bridge';
import type { ErrorCode } from '../../../shared/errors';

export class IpcClientError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'IpcClientError';
    this.code = code;
  }
}

// Channels whose input is an empty object may be called without one.
type InputArgs<K extends ChannelName> = Record<string, never> extends ChannelInput<K>
  ? [input?: ChannelInput<K>]
  : [input: ChannelInput<K>];

function bridge(): VaultConsoleBridge {
  const b = (window as unknown as Record<string, VaultConsoleBridge | undefined>)[BRIDGE_KEY];
  if (!b || typeof b.invoke !== 'function') throw new IpcClientError('INTERNAL', 'The Vault Console bridge is not available in this window.');
  return b;
}

/** Calls a contract channel; resolves with its value or throws an IpcClientError. */
export async function call<K extends ChannelName>(channel: K, ...args: InputArgs<K>): Promise<ChannelOutput<K>> {
  const input = (args[0] ?? {}) as ChannelInput<K>;
  let envelope;
  try {
    envelope = await bridge().invoke(channel, input);
  } catch (err) {
    if (err instanceof IpcClientError) throw err;
    // A transport failure (closed socket, destroyed window) has no code of its own.
    throw new IpcClientError('INTERNAL', `The ${channel} call could not be delivered.`);
  }
  if (envelope.ok) return envelope.value;
  throw new IpcClientError(envelope.error.code, envelope.error.message);
}

/** Subscribes to a main-process event; returns the unsubscribe function. */
export function on<K extends EventName>(event: K, cb: (payload: EventPayload<K>) => void): () => void {
  return bridge().subscribe(event, cb);
}

export function errorMessage(err: unknown): string {
  if (err instanceof IpcClientError) return err.message;
  return 'Unexpected error.';
}
