// Rotation: Rotate Now and Emergency Reset of one secret, bulk jobs (preview, typed
// confirmation, progress, cancel, report), and the shared schedules. Nothing here
// carries a private key or a password: results name versions, fingerprints, selectors and
// public DNS records. The one exception is a rotated API key's new key (NewApiKeySchema),
// shown once for a limited window because Vault keeps only its hash.
import { z } from 'zod';
import { NoInput } from './common';
import { DUE_FILTERS, SecretTypeFilterSchema, STATUS_FILTERS } from './inventory';

const TenantId = z.string().min(1).max(128);
const Reason = z.string().max(2000);

export const RotationTargetSchema = z.string().min(1).max(300);

export const RotationResultSchema = z.object({
  tenantId: z.string(),
  path: z.string(),
  type: z.enum(['ssh', 'smtp', 'dkim', 'api']),
  emergency: z.boolean(),
  previousVersion: z.number().int(),
  version: z.number().int(),
  rotatedAt: z.string(),
  rotatedBy: z.string(),
  nextRotation: z.string(),
  /** Until when the previous SSH key / DKIM selector stays valid; null = invalid at once. */
  graceUntil: z.string().nullable(),
  fingerprint: z.string().nullable(),
  previousFingerprint: z.string().nullable(),
  selector: z.string().nullable(),
  previousSelector: z.string().nullable(),
  /** Public DNS records to publish (DKIM): the new one, and the previous one during grace. */
  dnsRecords: z.array(z.object({ name: z.string(), value: z.string(), note: z.string() })),
  /** API keys: the visible prefix of the new key. */
  prefix: z.string().nullable(),
});
export type RotationResult = z.infer<typeof RotationResultSchema>;

export const API_KEY_CLOSE_REASONS = ['user', 'timer', 'window-closed', 'quit', 'sign-out', 'lock-screen', 'replaced'] as const;
export type ApiKeyCloseReason = (typeof API_KEY_CLOSE_REASONS)[number];

/**
 * The new key of an API-key rotation, shown once: Vault keeps only its hash. The one
 * secret value a rotation answer carries, for its window only (the renderer drops it on
 * every close; main zeroes its copy).
 */
export const NewApiKeySchema = z.object({
  handoverId: z.string(),
  apiKey: z.string(),
  prefix: z.string(),
  /** Milliseconds left when this answer was built; the renderer counts down from it. */
  remainingMs: z.number().int().nonnegative(),
  windowSeconds: z.number().int().positive(),
  /** The warning shows when this many milliseconds remain. */
  warnAtMs: z.number().int().nonnegative(),
});
export type NewApiKey = z.infer<typeof NewApiKeySchema>;

const HandoverId = z.object({ handoverId: z.string().regex(/^ak-[0-9a-f]{32}$/, 'a hand-over id') }).strict();

/**
 * What the tenant list's filter shows (its search and filters, without paging or sort): a
 * bulk job started from the list rotates the secrets of these tenants that make the filter
 * match (its types, status and due window); see matchesFilter in shared/rotation/rules.ts.
 */
export const TenantFilterSchema = z
  .object({
    query: z.string().max(512).default(''),
    type: SecretTypeFilterSchema.default('all'),
    status: z.enum(STATUS_FILTERS).optional(),
    due: z.enum(DUE_FILTERS).optional(),
  })
  .strict();
export type TenantFilter = z.infer<typeof TenantFilterSchema>;

const BulkTypeSchema = z.enum(['ssh', 'smtp', 'dkim', 'api']);

export const BulkSelectionSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('all'), type: z.enum(['ssh', 'smtp']) }).strict(),
  /** types: scope the job ("rotate overdue SSH keys"); API keys are listed, never rotated in bulk. */
  z.object({ mode: z.literal('overdue'), types: z.array(BulkTypeSchema).min(1).max(4).optional() }).strict(),
  /** "Rotate what this filter shows", from the tenant list (from the local index). */
  z.object({ mode: z.literal('filter'), filter: TenantFilterSchema }).strict(),
  /** "Rotate these now": the secrets a job reported as changed since its preview, previewed again from Vault. */
  z.object({ mode: z.literal('changed'), jobId: z.string().min(1).max(64) }).strict(),
]);
export type BulkSelection = z.infer<typeof BulkSelectionSchema>;
export type BulkSelectionInput = z.input<typeof BulkSelectionSchema>;

const PathRefSchema = z.object({ tenantId: z.string(), path: z.string() });

/** The most entries a preview lists by name per group; the totals count them all. */
export const PREVIEW_LIST_MAX = 500;

export const PreviewSchema = z.object({
  previewId: z.string(),
  selection: BulkSelectionSchema,
  label: z.string(),
  /** Secrets the job will rotate (the confirmation counts these). */
  total: z.number().int(),
  byType: z.object({ ssh: z.number().int(), smtp: z.number().int(), dkim: z.number().int(), api: z.number().int() }),
  tenants: z.number().int(),
  /** Where the targets came from: the local inventory index or Vault. */
  source: z.enum(['index', 'vault']),
  /** What the user must type to start. */
  confirmPhrase: z.string(),
  sample: z.array(z.string()),
  expiresAt: z.string(),
  /**
   * API keys the selection matched: never rotated by a bulk job (Vault keeps only the hash,
   * so the new key must be handed over): rotate one by one, the new key is shown once.
   */
  apiKeys: z.object({ total: z.number().int(), items: z.array(PathRefSchema) }),
  /** Secrets the signed-in identity may not rotate (sys/capabilities-self on their exact paths), with why. */
  notAllowed: z.object({ total: z.number().int(), items: z.array(PathRefSchema.extend({ reason: z.string() })) }),
  /** Things the admin should know before confirming (e.g. the cluster's schedules cannot be read). */
  warnings: z.array(z.string()),
});
export type RotationPreview = z.infer<typeof PreviewSchema>;

export const JOB_STATUSES = ['running', 'paused', 'interrupted', 'cancelled', 'completed'] as const;
export const JobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof JobStatusSchema>;

export const JobSummarySchema = z.object({
  id: z.string(),
  label: z.string(),
  status: JobStatusSchema,
  /** Why the job is paused (sealed Vault, failure rate over the threshold, by the user). */
  pauseReason: z.string().nullable(),
  total: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  /** Skipped for another reason than "changed since preview" (gone, no longer due, ...). */
  skipped: z.number().int(),
  /** Changed by someone else after the preview: never rotated by this job (listed in the report). */
  changed: z.number().int(),
  remaining: z.number().int(),
  /** Rotations per second over the current run. */
  rate: z.number(),
  etaSeconds: z.number().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  /** Who started the job (the CLI's jobs end in " (cli)"). */
  actor: z.string(),
  reason: z.string(),
  /** Incident response jobs: the incident id written into each rotated secret and the audit trail. */
  incidentId: z.string().nullable().optional(),
  /** Started by the signed-in person (jobs of other identities on this computer are listed too). */
  mine: z.boolean(),
  /** The Vault address and KV mount the job ran against; here = the active connection and mount. */
  vaultAddress: z.string().nullable(),
  mount: z.string(),
  here: z.boolean(),
});
export type JobSummary = z.infer<typeof JobSummarySchema>;

export const JobReportSchema = JobSummarySchema.extend({
  failures: z.array(z.object({ tenantId: z.string(), path: z.string(), code: z.string(), reason: z.string() })),
  skippedItems: z.array(z.object({ tenantId: z.string(), path: z.string(), reason: z.string() })),
  /** Changed by someone else after the preview, so not rotated; "rotate these now" previews them again. */
  changedItems: z.array(z.object({ tenantId: z.string(), path: z.string(), reason: z.string() })),
});
export type JobReport = z.infer<typeof JobReportSchema>;

export const SchedulesSchema = z.object({
  days: z.object({ ssh: z.number().int(), smtp: z.number().int(), dkim: z.number().int(), api: z.number().int() }).strict(),
  graceHours: z.object({ ssh: z.number().int(), dkim: z.number().int() }).strict(),
});
export const StoredSchedulesSchema = z.object({
  schedules: SchedulesSchema,
  /** KV v2 version of the schedules entry (0 = never saved: defaults); send it back to save. */
  version: z.number().int(),
  updatedBy: z.string().nullable(),
  updatedAt: z.string().nullable(),
  /** When saving moved due dates: the job that updates next_rotation of existing secrets. */
  rescheduleJobId: z.string().nullable(),
  /**
   * Where these come from: the cluster's entry (its data, or its metadata mirror for a
   * metadata-only policy); "defaults" when the cluster has none saved (so every console uses
   * the defaults); "unreadable" when the cluster's entry cannot be read with these policies:
   * the defaults are shown but may not be what the cluster uses.
   */
  source: z.enum(['vault', 'vault-metadata', 'defaults', 'unreadable']),
  problem: z.string().nullable(),
});
export type StoredSchedules = z.infer<typeof StoredSchedulesSchema>;

const JobId = z.object({ jobId: z.string().min(1).max(64) }).strict();

export const rotationChannels = {
  'rotation:rotate': {
    input: z.object({ tenantId: TenantId, target: RotationTargetSchema, reason: Reason, expectedVersion: z.number().int().min(1).optional() }).strict(),
    /** newApiKey: API keys only, shown once (see NewApiKeySchema); null for every other secret. */
    output: RotationResultSchema.extend({ newApiKey: NewApiKeySchema.nullable() }),
  },
  /** Main writes the new API key to the clipboard from its own buffer. */
  'rotation:api-key-copy': { input: HandoverId, output: z.object({ copied: z.boolean() }) },
  'rotation:api-key-close': { input: HandoverId, output: z.object({ closed: z.boolean() }) },
  'rotation:emergency-reset': {
    input: z.object({ tenantId: TenantId, target: z.enum(['smtp', 'ssh']), incidentId: z.string().max(64), reason: Reason.optional() }).strict(),
    output: z.array(RotationResultSchema),
  },
  'rotation:preview': { input: z.object({ selection: BulkSelectionSchema }).strict(), output: PreviewSchema },
  'rotation:start': {
    input: z.object({ previewId: z.string().min(1).max(64), confirm: z.string().max(64), reason: Reason, concurrency: z.number().int().min(1).max(64).optional() }).strict(),
    output: JobSummarySchema,
  },
  'rotation:jobs': { input: NoInput, output: z.array(JobSummarySchema) },
  'rotation:report': { input: JobId, output: JobReportSchema },
  'rotation:cancel': { input: JobId, output: JobSummarySchema },
  'rotation:pause': { input: JobId, output: JobSummarySchema },
  'rotation:resume': { input: JobId, output: JobSummarySchema },
  'rotation:schedules': { input: NoInput, output: StoredSchedulesSchema },
  'rotation:set-schedules': { input: z.object({ schedules: SchedulesSchema, expectedVersion: z.number().int().min(0) }).strict(), output: StoredSchedulesSchema },
} as const;

export const rotationEvents = {
  'rotation:job-progress': JobSummarySchema,
  /** A new API key's window closed (timer, sign-out, ...): the renderer drops the key. */
  'rotation:api-key-closed': z.object({ handoverId: z.string(), reason: z.enum(API_KEY_CLOSE_REASONS) }),
} as const;
