// The one IPC contract: channel -> { input, output } zod schemas, and the events
// main pushes to the renderer. Main, preload, renderer and the browser harness all
// derive their types from this file; test/unit/shared/contract.test.ts snapshots it.
import { z } from 'zod';

const NoInput = z.object({}).strict();

export const VaultStatusSchema = z.object({
  address: z.string(),
  reachable: z.boolean(),
  initialized: z.boolean(),
  sealed: z.boolean(),
  standby: z.boolean(),
  version: z.string(),
  clusterName: z.string(),
  clusterId: z.string(),
  /** Unseal progress, shown during break-glass. */
  unseal: z.object({ threshold: z.number().int(), shares: z.number().int(), progress: z.number().int() }),
  checkedAt: z.string(),
  /** Present when reachable is false: why. */
  error: z.string().optional(),
});
export type VaultStatus = z.infer<typeof VaultStatusSchema>;

export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  platform: z.string(),
  /** "electron" in the app, "harness" in the browser test harness. */
  shell: z.enum(['electron', 'harness']),
  vaultAddress: z.string(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

export const channels = {
  'app:info': { input: NoInput, output: AppInfoSchema },
  'vault:status': { input: NoInput, output: VaultStatusSchema },
  'shell:open-external': {
    input: z.object({ url: z.string().max(2048) }).strict(),
    output: z.object({ opened: z.boolean() }),
  },
} as const;

export const events = {
  'vault:status-changed': VaultStatusSchema,
} as const;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type ChannelInput<K extends ChannelName> = z.input<Channels[K]['input']>;
export type ChannelParsedInput<K extends ChannelName> = z.output<Channels[K]['input']>;
export type ChannelOutput<K extends ChannelName> = z.output<Channels[K]['output']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<K extends EventName> = z.output<Events[K]>;

export const channelNames = Object.keys(channels) as ChannelName[];
export const eventNames = Object.keys(events) as EventName[];

export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

/** The IPC channel names used on the wire by the preload and the registry. */
export const IPC_INVOKE = 'vc:invoke';
export const IPC_EVENT = 'vc:event';
