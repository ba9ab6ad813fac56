// Audit review: the live stream from Vault's file audit device, imports for
// offline review, filters, suspicious-activity alerts, exports, and the
// second-admin approval that a tenant secret deletion needs. The mapping from
// Vault's audit format to these fields is docs/audit-mapping.md.
import { z } from 'zod';
import { AUDIT_ACTIONS, AUDIT_SECRET_TYPES, AUDIT_SOURCES, AUDIT_STATUSES, POLICY_NAME_RE } from '../audit/audit-rules';
import { NoInput } from './common';

export { AUDIT_ACTIONS, AUDIT_SECRET_TYPES, AUDIT_SOURCES, AUDIT_STATUSES, normalizeUser } from '../audit/audit-rules';
export type { AuditAction, AuditSecretType, AuditSource, AuditStatus } from '../audit/audit-rules';

export const AuditEventSchema = z.object({
  id: z.number().int(),
  /** ISO-8601 UTC. */
  ts: z.string(),
  action: z.enum(AUDIT_ACTIONS),
  tenant: z.string().nullable(),
  user: z.string(),
  secretType: z.enum(AUDIT_SECRET_TYPES),
  ip: z.string(),
  status: z.enum(AUDIT_STATUSES),
  /** Vault path as logged (never a value; Vault HMACs values before they reach the log). */
  path: z.string(),
  source: z.enum(AUDIT_SOURCES),
  requestId: z.string(),
  /** The approval id the console header named (an annotation: it approves nothing by itself). */
  approvalId: z.string().nullable(),
  error: z.string().nullable(),
  /** Vault's own operation (read, list, create, update, patch, delete, scan, ...); null for the console's records and events stored before migration 13. */
  operation: z.string().nullable(),
  /** The mount Vault routed the request to (with its namespace). */
  mount: z.string().nullable(),
  /** Vault's identity entity of the caller, when the token has one. */
  entityId: z.string().nullable(),
  /** The X-Vault-Console-Action header as logged: what the client says it did (annotation only). */
  consoleHeader: z.string().nullable(),
  /** The console action the header names, if it names one. */
  consoleAction: z.string().nullable(),
  /** The header names an action that Vault's operation contradicts (a red alert). */
  headerConflict: z.boolean(),
});
export type AuditEventView = z.infer<typeof AuditEventSchema>;

const text = (max: number) => z.string().trim().max(max);

export const AuditFilterSchema = z
  .object({
    tenant: text(128).optional(),
    secretType: z.enum(AUDIT_SECRET_TYPES).optional(),
    action: z.enum(AUDIT_ACTIONS).optional(),
    user: text(256).optional(),
    /** Inclusive bounds, ISO-8601. */
    from: text(40).optional(),
    to: text(40).optional(),
    /** Free text: matched in path, user, tenant, IP and error. */
    text: text(200).optional(),
    /**
     * Hide the console's own housekeeping (syncs, status probes): successful LISTs and
     * metadata reads, probes, stamp writes, decided from Vault's record (docs/audit-mapping.md).
     */
    hideHousekeeping: z.boolean().optional(),
  })
  .strict();
export type AuditFilter = z.infer<typeof AuditFilterSchema>;

export const AuditCursorSchema = z.object({ ts: z.number().int(), id: z.number().int() }).strict();
export type AuditCursor = z.infer<typeof AuditCursorSchema>;

export const AuditPageSchema = z.object({
  events: z.array(AuditEventSchema),
  /** Pass back to get the next (older) page; null at the end. */
  nextCursor: AuditCursorSchema.nullable(),
});

export const AuditCountsSchema = z.object({
  total: z.number().int(),
  /** True when total stopped at the cap (the UI shows "100,000+", or "10,000+" where rows must be read). */
  capped: z.boolean(),
  /** Events per action among the newest byActionOf matching events (all of them when total ≤ 10,000). */
  byAction: z.record(z.string(), z.number().int()),
  byActionOf: z.number().int(),
});

export const AuditChartSchema = z.object({
  /** Start of the first bucket and end of the last, ms since the epoch (UTC). */
  from: z.number().int(),
  to: z.number().int(),
  bucketMs: z.number().int(),
  /** rollup: exact, from per-minute/hour counts; events: counted over the newest matching events; stats: exact, counted by VictoriaLogs. */
  source: z.enum(['rollup', 'events', 'stats']),
  /** A filtered count stopped at its cap: buckets before this time (ms) are not counted. */
  partialSince: z.number().int().nullable(),
  /** Actions present, most events first. */
  actions: z.array(z.string()),
  buckets: z.array(z.object({ t: z.number().int(), counts: z.record(z.string(), z.number().int()) })),
  total: z.number().int(),
});
export type AuditChartView = z.infer<typeof AuditChartSchema>;

export const ALERT_KINDS = [
  'failed-auth-user',
  'failed-auth-ip',
  'failed-auth-spray',
  'off-hours',
  'bulk-reads',
  'wide-reads',
  'delete-without-approval',
  'header-contradiction',
  'sys-critical',
  'key-decrypt',
  'unclassified-events',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const AuditAlertSchema = z.object({
  id: z.string(),
  kind: z.enum(ALERT_KINDS),
  severity: z.enum(['red', 'yellow']),
  title: z.string(),
  detail: z.string(),
  /** The identity (user or entity), IP or auth mount the alert is about. */
  subject: z.string(),
  /** The normalised user names in the alert's events (the user filter matches one of them exactly). */
  users: z.array(z.string()),
  from: z.string(),
  to: z.string(),
  eventCount: z.number().int(),
  /** The events behind the alert (capped at 500). */
  eventIds: z.array(z.number().int()),
});
export type AuditAlertView = z.infer<typeof AuditAlertSchema>;

export const AlertSettingsSchema = z
  .object({
    failedAuthThreshold: z.number().int().min(1).max(10_000),
    failedAuthWindowMinutes: z.number().int().min(1).max(1440),
    offHoursStart: z.number().int().min(0).max(23),
    offHoursEnd: z.number().int().min(0).max(24),
    /** IANA time zone, e.g. "Europe/Berlin". */
    timeZone: z.string().min(1).max(64),
    bulkReadThreshold: z.number().int().min(1).max(1_000_000),
    bulkReadWindowSeconds: z.number().int().min(1).max(3600),
    /** More than this many distinct tenant secrets read by one identity within 24 hours (yellow). */
    wideReadThreshold: z.number().int().min(1).max(1_000_000),
    /** The Vault policy an approver of a deletion must hold (Vault's own record of the approving write says so). */
    approverPolicy: z.string().regex(POLICY_NAME_RE).refine((p) => p !== 'root', 'root cannot be the approving policy'),
    /** An approval is good for one delete within this many hours after it was granted. */
    approvalValidHours: z.number().int().min(1).max(720),
  })
  .strict();
export type AlertSettings = z.infer<typeof AlertSettingsSchema>;

/** Retention of audit months: archived (compressed, checksummed) after N months, deleted after N years. */
export const RetentionPolicySchema = z
  .object({
    archiveAfterMonths: z.number().int().min(1).max(120),
    retentionYears: z.number().int().min(1).max(100),
  })
  .strict();
export type RetentionPolicy = z.infer<typeof RetentionPolicySchema>;

export const AuditMonthSchema = z.object({
  /** yyyy-mm (UTC). */
  month: z.string(),
  /** hot: in SQLite; archived: only in its archive file; reopened: loaded back from its archive. */
  state: z.enum(['hot', 'archived', 'reopened']),
  events: z.number().int(),
  archiveFile: z.string().nullable(),
  sha256: z.string().nullable(),
  archivedAt: z.string().nullable(),
});
export type AuditMonthView = z.infer<typeof AuditMonthSchema>;

export const MaintenanceStatusSchema = z.object({
  /** The retention run: at start and then daily. */
  lastRunAt: z.string().nullable(),
  nextRunAt: z.string().nullable(),
  lastArchived: z.array(z.string()),
  lastDropped: z.array(z.string()),
  lastError: z.string().nullable(),
});
export type MaintenanceStatus = z.infer<typeof MaintenanceStatusSchema>;

export const AuditArchivesSchema = z.object({
  /** Where the archive files and manifest.json are. */
  archiveDir: z.string(),
  months: z.array(AuditMonthSchema),
  policy: RetentionPolicySchema,
  maintenance: MaintenanceStatusSchema,
});
export type AuditArchivesView = z.infer<typeof AuditArchivesSchema>;

const monthInput = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM');

export const StreamStatusSchema = z.object({
  running: z.boolean(),
  path: z.string().nullable(),
  /** How the path was found: picked in main's file dialog (and kept), or Vault's sys/audit. */
  origin: z.enum(['configured', 'sys-audit', 'none']),
  /** Why this file may not be trustworthy (group- or world-writable, ...). */
  warnings: z.array(z.string()),
  pollMs: z.number().int(),
  lastPollAt: z.string().nullable(),
  ingested: z.number().int(),
  /** Lines the parser could not use since the stream started. */
  skipped: z.number().int(),
  rotations: z.number().int(),
  lastError: z.string().nullable(),
});
export type StreamStatus = z.infer<typeof StreamStatusSchema>;

export const ImportReportSchema = z.object({
  file: z.string(),
  format: z.enum(['vault', 'console-csv', 'console-json', 'console-ndjson', 'unknown']),
  /** imported: everything usable went in; partial: stopped early (see message), re-import completes it; failed: nothing went in. */
  outcome: z.enum(['imported', 'partial', 'failed', 'empty']),
  lines: z.number().int(),
  events: z.number().int(),
  inserted: z.number().int(),
  duplicates: z.number().int(),
  skipped: z.object({
    truncated: z.number().int(),
    notJson: z.number().int(),
    oversized: z.number().int(),
    badEncoding: z.number().int(),
    notAudit: z.number().int(),
  }),
  grewWhileReading: z.boolean(),
  /** Requests whose response was not in the file (stored as pending). */
  pending: z.number().int(),
  /** The file's SHA-256: only for a complete import (never for a failed or partial one). */
  sha256: z.string().nullable(),
  /** Why the file may not be trustworthy (others can write it). */
  warnings: z.array(z.string()),
  message: z.string(),
});
export type ImportReport = z.infer<typeof ImportReportSchema>;

export const ExportResultSchema = z.object({
  path: z.string(),
  checksumPath: z.string(),
  sha256: z.string(),
  count: z.number().int(),
  bytes: z.number().int(),
});

export const ApprovalSchema = z.object({
  id: z.string(),
  path: z.string(),
  tenant: z.string().nullable(),
  reason: z.string(),
  requestedBy: z.string(),
  requestedAt: z.string(),
  status: z.enum(['pending', 'approved', 'used']),
  approvedBy: z.string().nullable(),
  approvedAt: z.string().nullable(),
});
export type ApprovalView = z.infer<typeof ApprovalSchema>;

const secretPath = z.string().trim().min(3).max(512);
const approvalId = z.string().regex(/^apr-[0-9a-f]{16}$/);

export const auditChannels = {
  'audit:query': {
    input: z.object({ filter: AuditFilterSchema, cursor: AuditCursorSchema.nullable().optional(), limit: z.number().int().min(1).max(2000).optional() }).strict(),
    output: AuditPageSchema,
  },
  'audit:counts': { input: z.object({ filter: AuditFilterSchema }).strict(), output: AuditCountsSchema },
  /** Events over time by action for the filter (the chart above the table); counted in SQLite. */
  'audit:chart': { input: z.object({ filter: AuditFilterSchema }).strict(), output: AuditChartSchema },
  'audit:facets': { input: NoInput, output: z.object({ tenants: z.array(z.string()), users: z.array(z.string()) }) },
  'audit:events-by-id': {
    input: z.object({ ids: z.array(z.number().int()).max(500) }).strict(),
    output: z.object({ events: z.array(AuditEventSchema) }),
  },
  /** Red first, newest first: at most 200 listed, all counted. */
  'audit:alerts': {
    input: z.object({ filter: AuditFilterSchema }).strict(),
    output: z.object({
      alerts: z.array(AuditAlertSchema),
      total: z.number().int(),
      red: z.number().int(),
      yellow: z.number().int(),
      /** Each detector looks at the newest 100,000 events of its kind in the range; set when that cut older ones off. */
      partialSince: z.string().nullable(),
      /** While events stream in, a slow computation is reused for a while (at most a minute). */
      computedAt: z.string(),
    }),
  },
  'audit:alert-settings': { input: NoInput, output: AlertSettingsSchema },
  'audit:set-alert-settings': { input: AlertSettingsSchema, output: AlertSettingsSchema },
  'audit:stream-status': { input: NoInput, output: StreamStatusSchema },
  /**
   * Starts tailing. The renderer never names a file: 'choose' opens main's file dialog,
   * 'sys-audit' takes the file device Vault's sys/audit reports, and no source takes the
   * file chosen before (else sys/audit). Main checks it is a regular file every time it opens it.
   */
  'audit:stream-start': { input: z.object({ source: z.enum(['choose', 'sys-audit']).optional() }).strict(), output: StreamStatusSchema },
  'audit:stream-stop': { input: NoInput, output: StreamStatusSchema },
  /** Main opens its file dialog (up to 100 files) and imports what the user picked; cancelled: nothing picked. */
  'audit:import': {
    input: NoInput,
    output: z.object({ reports: z.array(ImportReportSchema), cancelled: z.boolean() }),
  },
  /** Writes into the console's export folder under a name main chooses (audit-<time>.<ext>). */
  'audit:export': {
    input: z.object({ filter: AuditFilterSchema, format: z.enum(['csv', 'json', 'ndjson']) }).strict(),
    output: ExportResultSchema,
  },
  'audit:approvals': { input: NoInput, output: z.object({ approvals: z.array(ApprovalSchema) }) },
  'audit:request-delete': {
    input: z.object({ path: secretPath, reason: z.string().trim().min(3).max(500) }).strict(),
    output: ApprovalSchema,
  },
  'audit:approve-delete': { input: z.object({ id: approvalId }).strict(), output: ApprovalSchema },
  'audit:delete-secret': { input: z.object({ id: approvalId }).strict(), output: ApprovalSchema },
  'audit:archives': { input: NoInput, output: AuditArchivesSchema },
  /** Archives one finished month now (compressed file + checksum; its rows leave SQLite). */
  'audit:archive-month': { input: z.object({ month: monthInput }).strict(), output: AuditArchivesSchema },
  /** Verifies an archived month's checksum and loads it back into SQLite. */
  'audit:reopen-month': { input: z.object({ month: monthInput }).strict(), output: AuditArchivesSchema.extend({ report: ImportReportSchema }) },
  'audit:set-retention': { input: RetentionPolicySchema, output: AuditArchivesSchema },
} as const;

export const auditEvents = {
  /** Sent after each poll that added events. */
  'audit:stream-updated': StreamStatusSchema,
} as const;
