// Rotation: Rotate Now and Emergency Reset of one secret, bulk jobs (preview, typed
// confirmation, progress, cancel, report), and the shared schedules. Nothing here
// carries a private key or a password: results name versions, fingerprints, selectors and
// public DNS records. The one exception is a rotated API key's new key (NewApiKeySchema),
// shown once for a limited window because Vault keeps only its hash.
import { z } from 'zod';
import { NoInput } from './common';

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

export const BulkSelectionSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('all'), type: z.enum(['ssh', 'smtp']) }).strict(),
  z.object({ mode: z.literal('overdue'), types: z.array(z.enum(['ssh', 'smtp', 'dkim', 'api'])).min(1).max(4).optional() }).strict(),
]);
export type BulkSelection = z.infer<typeof BulkSelectionSchema>;

export const PreviewSchema = z.object({
  previewId: z.string(),
  selection: BulkSelectionSchema,
  label: z.string(),
  total: z.number().int(),
  byType: z.object({ ssh: z.number().int(), smtp: z.number().int(), dkim: z.number().int(), api: z.number().int() }),
  tenants: z.number().int(),
  /** Where the targets came from: the local inventory index or a scan of Vault. */
  source: z.enum(['index', 'vault']),
  /** What the user must type to start. */
  confirmPhrase: z.string(),
  sample: z.array(z.string()),
  expiresAt: z.string(),
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
  skipped: z.number().int(),
  remaining: z.number().int(),
  /** Rotations per second over the current run. */
  rate: z.number(),
  etaSeconds: z.number().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  actor: z.string(),
  reason: z.string(),
  /** Incident response jobs: the incident id written into each rotated secret and the audit trail. */
  incidentId: z.string().nullable().optional(),
});
export type JobSummary = z.infer<typeof JobSummarySchema>;

export const JobReportSchema = JobSummarySchema.extend({
  failures: z.array(z.object({ tenantId: z.string(), path: z.string(), code: z.string(), reason: z.string() })),
  skippedItems: z.array(z.object({ tenantId: z.string(), path: z.string(), reason: z.string() })),
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
