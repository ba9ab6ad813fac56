// The shape of the one object the preload (or the browser harness) puts on window.
import type { ChannelInput, ChannelName, ChannelOutput, EventName, EventPayload } from './contract';
import type { Envelope } from './errors';

export interface VaultConsoleBridge {
  invoke<K extends ChannelName>(channel: K, input: ChannelInput<K>): Promise<Envelope<ChannelOutput<K>>>;
  /** Returns the unsubscribe function. */
  subscribe<K extends EventName>(event: K, cb: (payload: EventPayload<K>) => void): () => void;
}

export const BRIDGE_KEY = 'vaultConsole';
