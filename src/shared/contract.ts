// The one IPC contract: channel -> { input, output } zod schemas, and the events
// main pushes to the renderer. Each feature declares its part in
// src/shared/contracts/<feature>.ts; this file merges them. Main, preload, renderer
// and the browser harness derive their types from here, and
// test/unit/shared/contract.test.ts snapshots the whole surface.
import type { z } from 'zod';
import { appChannels, appEvents } from './contracts/app';
import { auditChannels, auditEvents } from './contracts/audit';
import { auditSourceChannels } from './contracts/audit-source';
import { backupChannels, backupEvents } from './contracts/backup';
import { complianceChannels, complianceEvents } from './contracts/compliance';
import { evidenceChannels, evidenceEvents } from './contracts/evidence';
import { dkimDnsChannels, dkimDnsEvents } from './contracts/dkim-dns';
import { enrolmentChannels, enrolmentEvents } from './contracts/enrolment';
import { healthChannels, healthEvents } from './contracts/health';
import { incidentChannels, incidentEvents } from './contracts/incident';
import { inventoryChannels, inventoryEvents } from './contracts/inventory';
import { profilesChannels, profilesEvents } from './contracts/profiles';
import { revealChannels, revealEvents } from './contracts/reveal';
import { rotationChannels, rotationEvents } from './contracts/rotation';
import { sessionChannels, sessionEvents } from './contracts/session';
import { vaultChannels, vaultEvents } from './contracts/vault';
import { watchChannels, watchEvents } from './contracts/watch';

export * from './contracts/app';
export * from './contracts/audit';
export * from './contracts/audit-source';
export * from './contracts/backup';
export * from './contracts/compliance';
export * from './contracts/evidence';
export * from './contracts/dkim-dns';
export * from './contracts/enrolment';
export * from './contracts/health';
export * from './contracts/incident';
export * from './contracts/inventory';
export * from './contracts/profiles';
export * from './contracts/reveal';
export * from './contracts/rotation';
export * from './contracts/session';
export * from './contracts/vault';
export * from './contracts/watch';

export const channels = {
  ...appChannels,
  ...auditChannels,
  ...auditSourceChannels,
  ...backupChannels,
  ...complianceChannels,
  ...evidenceChannels,
  ...dkimDnsChannels,
  ...enrolmentChannels,
  ...healthChannels,
  ...incidentChannels,
  ...inventoryChannels,
  ...profilesChannels,
  ...revealChannels,
  ...rotationChannels,
  ...sessionChannels,
  ...vaultChannels,
  ...watchChannels,
} as const;

export const events = {
  ...appEvents,
  ...auditEvents,
  ...backupEvents,
  ...complianceEvents,
  ...evidenceEvents,
  ...dkimDnsEvents,
  ...enrolmentEvents,
  ...healthEvents,
  ...incidentEvents,
  ...inventoryEvents,
  ...profilesEvents,
  ...revealEvents,
  ...rotationEvents,
  ...sessionEvents,
  ...vaultEvents,
  ...watchEvents,
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
