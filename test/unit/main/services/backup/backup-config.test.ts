import { describe, expect, it } from 'vitest';
import { backupConfigFromEnv, parseSettings } from '../../../../../src/main/services/backup/backup-config';
import { checkTenantId } from '../../../../../src/main/services/backup/logical';
import { newBackupId } from '../../../../../src/main/services/backup/backup-service';

describe('backup configuration', () => {
  it('reads the CLI configuration from the environment with 30 days of retention by default', () => {
    const c = backupConfigFromEnv({ VAULT_CONSOLE_BACKUP_BUCKET: 'ops-backups', AWS_REGION: 'eu-west-1' });
    expect(c).toMatchObject({ bucket: 'ops-backups', region: 'eu-west-1', retentionDays: 30, sse: 'AES256', transitKey: 'vault-console-backup', prefix: 'vault-console/' });
    expect(c.credentials).toBeUndefined();
  });

  it('refuses a missing bucket, a bad retention and an unknown SSE mode with a clear message', () => {
    expect(() => backupConfigFromEnv({})).toThrow(/VAULT_CONSOLE_BACKUP_BUCKET is not set/);
    expect(() => backupConfigFromEnv({ VAULT_CONSOLE_BACKUP_BUCKET: 'b-1', VAULT_CONSOLE_BACKUP_RETENTION_DAYS: 'thirty' })).toThrow(/retentionDays/);
    expect(() => backupConfigFromEnv({ VAULT_CONSOLE_BACKUP_BUCKET: 'b-1', VAULT_CONSOLE_BACKUP_SSE: 'rot13' })).toThrow(/sse/);
    expect(() => parseSettings({ bucket: 'Not_A_Bucket' })).toThrow(/bucket name/);
    expect(() => parseSettings({ bucket: 'ok-bucket', prefix: '../x' })).toThrow(/prefix/);
  });

  it('refuses tenant ids that could escape their folder', () => {
    for (const bad of ['..', 'a/b', '', 'x'.repeat(129)]) expect(() => checkTenantId(bad)).toThrow();
    expect(() => checkTenantId('t-000042')).not.toThrow();
  });

  it('makes backup ids that sort by time', () => {
    const a = newBackupId(Date.UTC(2026, 0, 1, 2, 3, 4));
    expect(a).toMatch(/^20260101T020304Z-[0-9a-f]{6}$/);
    expect(newBackupId(Date.UTC(2026, 0, 2)) > a).toBe(true);
  });
});
