// Backup settings: the S3 key pair goes to the keychain only, never to SQLite.
import { describe, expect, it } from 'vitest';
import { BackupSettingsStore } from '../../../../../src/main/services/backup/backup-settings-store';
import { MemorySecretStore } from '../../../../../src/main/services/keychain/memory-secret-store';
import { openDatabase } from '../../../../../src/main/services/storage/database';
import { SettingsRepo } from '../../../../../src/main/services/storage/settings-repo';

function setup() {
  const db = openDatabase(':memory:');
  const secrets = new MemorySecretStore();
  const store = new BackupSettingsStore(new SettingsRepo(db), secrets, () => 'tenants');
  return { db, secrets, store };
}

describe('backup settings store', () => {
  it('says "not configured" clearly until a bucket is set', async () => {
    const { store } = setup();
    await expect(store.config()).rejects.toThrow(/not configured/);
    expect((await store.summary()).configured).toBe(false);
  });

  it('keeps the S3 secret key in the keychain and out of the settings table and the summary', async () => {
    const { db, store } = setup();
    const summary = await store.save({ bucket: 'ops-backups', endpoint: 'http://127.0.0.1:9000', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'very-secret-value' });
    expect(summary).toMatchObject({ configured: true, bucket: 'ops-backups', hasCredentials: true, retentionDays: 30 });
    expect(JSON.stringify(summary)).not.toContain('very-secret-value');
    const rows = JSON.stringify(db.prepare('SELECT * FROM settings').all());
    expect(rows).not.toContain('very-secret-value');
    expect(rows).not.toContain('AKIAEXAMPLE');
    expect((await store.config()).credentials).toEqual({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'very-secret-value' });
    // Saving again without keys keeps the stored ones.
    await store.save({ bucket: 'ops-backups', retentionDays: 14 });
    expect(await store.config()).toMatchObject({ retentionDays: 14, kvMount: 'tenants', credentials: { accessKeyId: 'AKIAEXAMPLE' } });
  });

  it('refuses half a key pair and a bad bucket name, and keeps the previous settings', async () => {
    const { store } = setup();
    await store.save({ bucket: 'ops-backups' });
    await expect(store.save({ bucket: 'ops-backups', accessKeyId: 'AKIAONLY' })).rejects.toThrow(/both/);
    await expect(store.save({ bucket: 'Bad_Bucket' })).rejects.toThrow(/bucket name/);
    expect((await store.summary()).bucket).toBe('ops-backups');
  });

  it('accepts https endpoints, plain http only to this machine (with a warning), nothing else', async () => {
    const { store } = setup();
    expect((await store.save({ bucket: 'ops-backups', endpoint: 'https://s3.example.com' })).warnings).toEqual([]);
    expect((await store.save({ bucket: 'ops-backups', endpoint: 'http://127.0.0.1:9000' })).warnings).toEqual([expect.stringMatching(/this machine/)]);
    expect((await store.save({ bucket: 'ops-backups', endpoint: 'http://[::1]:9000' })).warnings).toHaveLength(1);
    for (const bad of ['http://s3.example.com', 'http://10.0.0.5:9000', 'ftp://127.0.0.1', 'https://key:secret@s3.example.com']) {
      await expect(store.save({ bucket: 'ops-backups', endpoint: bad })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    }
    expect((await store.summary()).endpoint).toBe('http://[::1]:9000');
  });

  it('a new bucket or endpoint forgets the stored S3 keys (unless new keys come with it)', async () => {
    const { store, secrets } = setup();
    const keys = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'very-secret-value' };
    await store.save({ bucket: 'ops-backups', endpoint: 'https://s3.example.com', ...keys });
    await store.save({ bucket: 'ops-backups', endpoint: 'https://s3.example.com', retentionDays: 10 });
    expect((await store.summary()).hasCredentials).toBe(true);
    expect((await store.save({ bucket: 'other-bucket' })).hasCredentials).toBe(false);
    expect(await secrets.get('backup:s3-credentials')).toBeNull();
    await store.save({ bucket: 'other-bucket', ...keys });
    expect((await store.save({ bucket: 'other-bucket', endpoint: 'https://s3.elsewhere.example' })).hasCredentials).toBe(false);
    // New keys given with the new endpoint are kept.
    expect((await store.save({ bucket: 'other-bucket', endpoint: 'https://s3.third.example', ...keys })).hasCredentials).toBe(true);
  });
});
