// Backups: Force Backup Now, history (last 30), restore, retention, settings.
// S3 secret keys and re-auth passwords go in; nothing secret ever comes out.
import { z } from 'zod';
import { NoInput } from './common';

export const BackupKindSchema = z.enum(['raft', 'logical']);

export const BackupViewSchema = z.object({
  id: z.string(),
  kind: BackupKindSchema,
  status: z.enum(['running', 'completed', 'failed', 'deleted']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  sizeBytes: z.number().nullable(),
  sha256: z.string().nullable(),
  objectKey: z.string(),
  actor: z.string(),
  mount: z.string().nullable(),
  itemCount: z.number().nullable(),
  error: z.string().nullable(),
  verifiedAt: z.string().nullable(),
});
export type BackupView = z.infer<typeof BackupViewSchema>;

export const BackupProgressSchema = z.object({
  id: z.string(),
  operation: z.enum(['backup', 'restore', 'verify']),
  phase: z.enum(['starting', 'streaming', 'verifying', 'completed', 'failed']),
  bytes: z.number(),
  items: z.number(),
  message: z.string().nullable(),
});
export type BackupProgressView = z.infer<typeof BackupProgressSchema>;

export const BackupSettingsViewSchema = z.object({
  configured: z.boolean(),
  bucket: z.string(),
  prefix: z.string(),
  region: z.string(),
  endpoint: z.string().nullable(),
  forcePathStyle: z.boolean(),
  sse: z.enum(['AES256', 'aws:kms', 'none']),
  transitKey: z.string(),
  retentionDays: z.number().int(),
  /** True when S3 keys are in the keychain; the keys themselves never leave main. */
  hasCredentials: z.boolean(),
  /** Shown beside the settings (plain http to an S3 store on this machine). */
  warnings: z.array(z.string()),
});
export type BackupSettingsView = z.infer<typeof BackupSettingsViewSchema>;

export const BackupPolicySchema = z.object({
  retentionDays: z.number().int(),
  versioning: z.boolean().nullable(),
  lifecycleRules: z.array(
    z.object({ id: z.string(), prefix: z.string(), expirationDays: z.number().nullable(), noncurrentDays: z.number().nullable(), enabled: z.boolean() }),
  ),
  lastVerifiedAt: z.string().nullable(),
  lastVerifiedId: z.string().nullable(),
});

const Id = z.string().regex(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/, 'not a backup id');

export const ReauthSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('userpass'), username: z.string().min(1).max(128), password: z.string().min(1).max(1024) }).strict(),
  z.object({ method: z.literal('token'), token: z.string().min(1).max(1024) }).strict(),
]);

export const backupChannels = {
  'backup:list': { input: NoInput, output: z.object({ backups: z.array(BackupViewSchema) }) },
  /** Force Backup Now; resolves when the backup completed or failed (progress arrives as events). */
  'backup:run': { input: z.object({ kind: BackupKindSchema.optional() }).strict(), output: BackupViewSchema },
  'backup:cancel': { input: NoInput, output: z.object({ cancelled: z.boolean() }) },
  /**
   * Restore from a listed point. `confirm` must be the backup id typed by the user;
   * a raft restore also re-authenticates (the session token is not enough).
   */
  'backup:restore': {
    input: z
      .object({
        id: Id,
        scope: z.enum(['raft', 'mount', 'tenant']),
        tenantId: z.string().min(1).max(128).optional(),
        confirm: z.string().max(64),
        reauth: ReauthSchema.optional(),
      })
      .strict(),
    output: z.object({ id: z.string(), scope: z.enum(['raft', 'mount', 'tenant']), bytes: z.number(), written: z.number().nullable() }),
  },
  'backup:apply-retention': { input: NoInput, output: z.object({ deleted: z.array(z.string()), cutoff: z.string() }) },
  'backup:policy': { input: NoInput, output: BackupPolicySchema },
  'backup:settings': { input: NoInput, output: BackupSettingsViewSchema },
  'backup:configure': {
    input: z
      .object({
        bucket: z.string().min(3).max(63),
        prefix: z.string().max(200).optional(),
        region: z.string().min(1).max(64).optional(),
        endpoint: z.string().max(500).optional(),
        forcePathStyle: z.boolean().optional(),
        sse: z.enum(['AES256', 'aws:kms', 'none']).optional(),
        transitKey: z.string().max(128).optional(),
        retentionDays: z.number().int().min(1).max(3650).optional(),
        accessKeyId: z.string().max(256).optional(),
        secretAccessKey: z.string().max(256).optional(),
      })
      .strict(),
    output: BackupSettingsViewSchema,
  },
} as const;

export const backupEvents = {
  'backup:progress': BackupProgressSchema,
} as const;
