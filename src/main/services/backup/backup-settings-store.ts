// The app's backup configuration: non-secret settings in the settings table, the
// S3 key pair in the OS keychain (never in SQLite, never sent to the renderer).
import { AppError } from '../../../shared/errors';
import type { SecretStore } from '../keychain/secret-store';
import type { SettingsRepo } from '../storage/settings-repo';
import { checkS3Endpoint, DEFAULT_TRANSIT_KEY, KEYCHAIN_ACCOUNT, parseSettings, SETTINGS_KEY, type BackupConfig, type BackupSettings } from './backup-config';

export interface BackupSettingsInput {
  bucket: string;
  prefix?: string;
  region?: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  sse?: 'AES256' | 'aws:kms' | 'none';
  transitKey?: string;
  retentionDays?: number;
  accessKeyId?: string;
  secretAccessKey?: string;
}

export interface BackupSettingsSummary {
  configured: boolean;
  bucket: string;
  prefix: string;
  region: string;
  endpoint: string | null;
  forcePathStyle: boolean;
  sse: 'AES256' | 'aws:kms' | 'none';
  transitKey: string;
  retentionDays: number;
  hasCredentials: boolean;
  /** Shown beside the settings (plain http to a local store). */
  warnings: string[];
}

export class BackupSettingsStore {
  constructor(
    private readonly settings: SettingsRepo,
    private readonly secrets: SecretStore,
    private readonly kvMount: () => string,
  ) {}

  private read(): BackupSettings | null {
    const raw = this.settings.get(SETTINGS_KEY);
    if (!raw) return null;
    try {
      return parseSettings(JSON.parse(raw));
    } catch {
      return null;
    }
  }

  /** The transit key backups are wrapped with (the permission check needs its paths); null until configured. */
  transitRef(): { mount: string; key: string } | null {
    const s = this.read();
    return s ? { mount: s.transitMount, key: s.transitKey } : null;
  }

  private async credentials(): Promise<BackupConfig['credentials']> {
    const raw = await this.secrets.get(KEYCHAIN_ACCOUNT).catch(() => null);
    if (!raw) return undefined;
    try {
      const c = JSON.parse(raw) as { accessKeyId?: string; secretAccessKey?: string };
      return c.accessKeyId && c.secretAccessKey ? { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey } : undefined;
    } catch {
      return undefined;
    }
  }

  /** The full configuration for BackupService; BAD_INPUT until a bucket is set. */
  async config(): Promise<BackupConfig> {
    const s = this.read();
    if (!s) throw new AppError('BAD_INPUT', 'Backups are not configured yet: set the S3 bucket in Backups → Settings.');
    // A stored endpoint from before the rule is refused here too, before any key is used.
    checkS3Endpoint(s.endpoint);
    const credentials = await this.credentials();
    return { ...s, kvMount: this.kvMount(), ...(credentials ? { credentials } : {}) };
  }

  async summary(): Promise<BackupSettingsSummary> {
    const s = this.read();
    const hasCredentials = (await this.credentials()) !== undefined;
    return {
      configured: s !== null,
      bucket: s?.bucket ?? '',
      prefix: s?.prefix ?? '',
      region: s?.region ?? '',
      endpoint: s?.endpoint ?? null,
      forcePathStyle: s?.forcePathStyle ?? false,
      sse: s?.sse ?? 'AES256',
      transitKey: s?.transitKey ?? '',
      retentionDays: s?.retentionDays ?? 30,
      hasCredentials,
      warnings: warningsOf(s?.endpoint),
    };
  }

  /** The transit path every backup with these settings wraps its data key with. */
  transitEncryptPath(input: Pick<BackupSettingsInput, 'transitKey'>): string {
    const prev = this.read();
    return `${prev?.transitMount ?? 'transit'}/encrypt/${input.transitKey || prev?.transitKey || DEFAULT_TRANSIT_KEY}`;
  }

  async save(input: BackupSettingsInput): Promise<BackupSettingsSummary> {
    const prev = this.read();
    const next = parseSettings({
      ...(prev ?? {}),
      bucket: input.bucket,
      ...(input.prefix !== undefined ? { prefix: input.prefix } : {}),
      ...(input.region ? { region: input.region } : {}),
      endpoint: input.endpoint === undefined ? prev?.endpoint : input.endpoint || undefined,
      ...(input.forcePathStyle !== undefined ? { forcePathStyle: input.forcePathStyle } : {}),
      ...(input.sse ? { sse: input.sse } : {}),
      ...(input.transitKey ? { transitKey: input.transitKey } : {}),
      ...(input.retentionDays !== undefined ? { retentionDays: input.retentionDays } : {}),
    });
    if ((input.accessKeyId && !input.secretAccessKey) || (!input.accessKeyId && input.secretAccessKey)) {
      throw new AppError('BAD_INPUT', 'Give both the S3 access key id and the secret access key, or neither.');
    }
    checkS3Endpoint(next.endpoint);
    if (input.accessKeyId && input.secretAccessKey) {
      // The key pair goes to the keychain only; the settings table holds no secret.
      await this.secrets.set(KEYCHAIN_ACCOUNT, JSON.stringify({ accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey }));
    } else if (prev && (prev.bucket !== next.bucket || (prev.endpoint ?? '') !== (next.endpoint ?? ''))) {
      // Security: keys given for one store never follow the backups to another one.
      await this.secrets.delete(KEYCHAIN_ACCOUNT);
    }
    this.settings.set(SETTINGS_KEY, JSON.stringify(next));
    return this.summary();
  }
}

function warningsOf(endpoint: string | undefined): string[] {
  try {
    return checkS3Endpoint(endpoint);
  } catch (err) {
    return [err instanceof AppError ? err.message : 'The stored S3 endpoint is not accepted.'];
  }
}
