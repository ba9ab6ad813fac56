import type { ChannelName, ChannelOutput, ChannelParsedInput, EventName, EventPayload } from '../../shared/contract';

export type Handler<K extends ChannelName> = (input: ChannelParsedInput<K>) => Promise<ChannelOutput<K>>;

export type Handlers = { [K in ChannelName]: Handler<K> };

/** How services push events to whatever shell is showing the UI (Electron or harness). */
export interface EventSink {
  emit<K extends EventName>(event: K, payload: EventPayload<K>): void;
}
