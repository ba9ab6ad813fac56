// Where the Audit view reads events: per connection profile, the local store (default,
// embedded, works offline) or a VictoriaLogs endpoint that holds the fleet's audit
// events. The auth token or password goes to main's keychain and never comes back.
import { z } from 'zod';
import { NoInput } from './common';

export const AUDIT_SOURCE_STATES = ['ok', 'unreachable', 'timeout', 'unauthorized', 'partial', 'failed', 'bad-query'] as const;

export const AuditSourceSettingsSchema = z.object({
  kind: z.enum(['local', 'victorialogs']),
  url: z.string().nullable(),
  /** PEM of the CA for the endpoint's certificate (null: the system's). */
  caPem: z.string().nullable(),
  /** Which events are this cluster's: {vault_cluster="prod-eu"}. */
  streamFilter: z.string(),
  authKind: z.enum(['none', 'bearer', 'basic', 'header']),
  authUser: z.string().nullable(),
  authHeader: z.string().nullable(),
  /** A credential is in the keychain (its value never leaves main). */
  hasCredential: z.boolean(),
  timeoutMs: z.number().int(),
});
export type AuditSourceSettingsView = z.infer<typeof AuditSourceSettingsSchema>;

export const AuditSourceStatusSchema = z.object({
  kind: z.enum(['local', 'victorialogs']),
  /** What the view names as its source ("local store", "VictoriaLogs at logs:9428 {vault_cluster="prod"}"). */
  label: z.string(),
  state: z.enum(AUDIT_SOURCE_STATES),
  message: z.string().nullable(),
  checkedAt: z.string().nullable(),
});
export type AuditSourceStatus = z.infer<typeof AuditSourceStatusSchema>;

export const AuditSourceInputSchema = z
  .object({
    kind: z.enum(['local', 'victorialogs']),
    url: z.string().trim().max(2048).optional(),
    caPem: z.string().max(64 * 1024).nullable().optional(),
    streamFilter: z.string().trim().max(1024).optional(),
    authKind: z.enum(['none', 'bearer', 'basic', 'header']).optional(),
    authUser: z.string().trim().max(256).optional(),
    authHeader: z.string().trim().regex(/^[A-Za-z0-9-]{1,64}$/).optional(),
    /** The token, password or header value: stored in the keychain, never echoed. Absent: keep the stored one. */
    credential: z.string().min(1).max(8192).optional(),
    timeoutMs: z.number().int().min(500).max(120_000).optional(),
  })
  .strict();
export type AuditSourceInput = z.infer<typeof AuditSourceInputSchema>;

export const auditSourceChannels = {
  'audit:source-get': { input: NoInput, output: AuditSourceSettingsSchema },
  /** Saves the active profile's audit source; the Audit view reads from it at once. */
  'audit:source-set': { input: AuditSourceInputSchema, output: AuditSourceSettingsSchema },
  /** Asks the source now (a cheap query) and says how it answered. */
  'audit:source-test': { input: NoInput, output: AuditSourceStatusSchema },
  /** The state of the last request to the source (the view shows it beside the events). */
  'audit:source-status': { input: NoInput, output: AuditSourceStatusSchema },
} as const;
