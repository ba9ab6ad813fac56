// Where backups go and how they are protected. Non-secret settings live in the
// settings table (app) or the environment (CLI); S3 keys live in the OS keychain
// (app) or the SDK's default credential chain (CLI: env, profile, instance role).
import { z } from 'zod';
import { AppError } from '../../../shared/errors';

export const DEFAULT_RETENTION_DAYS = 30;
export const DEFAULT_PREFIX = 'vault-console/';
export const DEFAULT_TRANSIT_KEY = 'vault-console-backup';

export const BackupSettingsSchema = z.object({
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'bucket name must be 3-63 lowercase letters, digits, dots or dashes'),
  prefix: z.string().max(200).regex(/^([A-Za-z0-9._-]+\/)*$/, 'prefix must be folder names ending in "/"').default(DEFAULT_PREFIX),
  region: z.string().min(1).max(64).default('us-east-1'),
  /** For S3-compatible stores; AWS S3 needs none. */
  endpoint: z.string().url().max(500).optional(),
  forcePathStyle: z.boolean().default(false),
  sse: z.enum(['AES256', 'aws:kms', 'none']).default('AES256'),
  kmsKeyId: z.string().max(300).optional(),
  transitMount: z.string().max(128).default('transit'),
  transitKey: z.string().max(128).default(DEFAULT_TRANSIT_KEY),
  retentionDays: z.number().int().min(1).max(3650).default(DEFAULT_RETENTION_DAYS),
  /** KV v2 mount a logical backup covers. */
  kvMount: z.string().max(128).default('tenants'),
});
export type BackupSettings = z.infer<typeof BackupSettingsSchema>;

export interface BackupConfig extends BackupSettings {
  /** Never logged, never sent to the renderer. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * Where backups may be sent: https, or plain http only to this machine (a local test or
 * gateway), with a warning. A backup is encrypted before it leaves, but the S3 keys sign
 * every request and the object listing is the restore catalog: none of it crosses a
 * network in clear. Returns the warnings to show; BAD_INPUT for anything else.
 */
export function checkS3Endpoint(endpoint: string | undefined): string[] {
  if (!endpoint) return [];
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new AppError('BAD_INPUT', 'Backup settings: endpoint: not a URL.');
  }
  if (url.username || url.password) throw new AppError('BAD_INPUT', 'Backup settings: endpoint: must not contain credentials (the S3 keys go in their own fields).');
  if (url.protocol === 'https:') return [];
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  if (url.protocol === 'http:' && loopback) return ['Plain http to an S3 store on this machine: fine for a local store, never across a network.'];
  throw new AppError('BAD_INPUT', `Backup settings: endpoint: use https (plain http only to this machine, e.g. http://127.0.0.1:9000), not ${url.protocol.replace(':', '')}://${host}.`);
}

export const SETTINGS_KEY = 'backup.settings';
export const KEYCHAIN_ACCOUNT = 'backup:s3-credentials';

export function parseSettings(raw: unknown): BackupSettings {
  const r = BackupSettingsSchema.safeParse(raw);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new AppError('BAD_INPUT', `Backup settings: ${first ? `${first.path.join('.') || 'value'}: ${first.message}` : 'invalid'}`);
  }
  return r.data;
}

/** The CLI's configuration, from VAULT_CONSOLE_BACKUP_* and AWS_* variables. */
export function backupConfigFromEnv(env: NodeJS.ProcessEnv, kvMount = 'tenants'): BackupConfig {
  if (!env.VAULT_CONSOLE_BACKUP_BUCKET) throw new AppError('BAD_INPUT', 'VAULT_CONSOLE_BACKUP_BUCKET is not set');
  const days = env.VAULT_CONSOLE_BACKUP_RETENTION_DAYS;
  const settings = parseSettings({
    bucket: env.VAULT_CONSOLE_BACKUP_BUCKET,
    prefix: env.VAULT_CONSOLE_BACKUP_PREFIX ?? DEFAULT_PREFIX,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    endpoint: env.VAULT_CONSOLE_S3_ENDPOINT || undefined,
    forcePathStyle: env.VAULT_CONSOLE_S3_PATH_STYLE === '1' || Boolean(env.VAULT_CONSOLE_S3_ENDPOINT),
    sse: env.VAULT_CONSOLE_BACKUP_SSE ?? 'AES256',
    kmsKeyId: env.VAULT_CONSOLE_BACKUP_KMS_KEY || undefined,
    transitMount: env.VAULT_CONSOLE_BACKUP_TRANSIT_MOUNT ?? 'transit',
    transitKey: env.VAULT_CONSOLE_BACKUP_TRANSIT_KEY ?? DEFAULT_TRANSIT_KEY,
    retentionDays: days === undefined ? DEFAULT_RETENTION_DAYS : /^\d+$/.test(days) ? Number(days) : Number.NaN,
    kvMount: env.VAULT_CONSOLE_KV_MOUNT ?? kvMount,
  });
  checkS3Endpoint(settings.endpoint);
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  return { ...settings, ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}) };
}
