// The ops-host watcher (`vault-console watch`) as the desktop app sees it: the
// heartbeats watchers write into Vault, read back for the Health view's watcher card.
// The watcher's own vocabulary (conditions, severities) lives here too, so main,
// the CLI and the renderer name them the same way.
import { z } from 'zod';
import { NoInput } from './common';

/** PagerDuty Events API v2 severities. */
export const PAGE_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type PageSeverity = (typeof PAGE_SEVERITIES)[number];

/** Every condition the watcher pages for: a closed list, so a dedup_key or a metric label never carries free text. */
export const WATCH_CONDITIONS = [
  'vault-sealed',
  'vault-unreachable',
  'backup-failed',
  'backup-stale',
  'audit-failed-auth',
  'audit-bulk-reads',
  'audit-wide-reads',
  'audit-off-hours',
  'audit-delete-without-approval',
  'audit-header-contradiction',
  'audit-sys-critical',
  'audit-key-decrypt',
] as const;
export type WatchCondition = (typeof WATCH_CONDITIONS)[number];

/** The app warns when no watcher has written a heartbeat for longer than this. */
export const WATCHER_STALE_MINUTES = 5;

export const OpenPageSchema = z.object({
  condition: z.enum(WATCH_CONDITIONS),
  severity: z.enum(PAGE_SEVERITIES),
  summary: z.string(),
  since: z.string(),
  /** Open but not paged (a break-glass seal configured to page no one). */
  silent: z.boolean(),
});
export type OpenPage = z.infer<typeof OpenPageSchema>;

export const WatcherViewSchema = z.object({
  id: z.string(),
  host: z.string(),
  version: z.string(),
  /** When Vault stored the last heartbeat (Vault's clock, not the watcher's). */
  lastSeenAt: z.string(),
  ageSeconds: z.number(),
  startedAt: z.string().nullable(),
  pollSeconds: z.number().nullable(),
  openPages: z.array(OpenPageSchema),
  /** PagerDuty events waiting in the watcher's outbox (undelivered). */
  outboxPending: z.number().int(),
  stale: z.boolean(),
});
export type WatcherView = z.infer<typeof WatcherViewSchema>;

export const WatchStatusSchema = z.object({
  watchers: z.array(WatcherViewSchema),
  newestSeenAt: z.string().nullable(),
  /** True when no watcher has been seen for more than WATCHER_STALE_MINUTES (or never). */
  stale: z.boolean(),
  staleAfterMinutes: z.number(),
  /** Why the heartbeats could not be read (signed out, policy, sealed), if they could not. */
  unavailable: z.string().nullable(),
  checkedAt: z.string(),
});
export type WatchStatus = z.infer<typeof WatchStatusSchema>;

export const watchChannels = {
  /** The watchers that report for the active cluster (heartbeats in Vault). */
  'watch:status': { input: NoInput, output: WatchStatusSchema },
} as const;

export const watchEvents = {} as const;
