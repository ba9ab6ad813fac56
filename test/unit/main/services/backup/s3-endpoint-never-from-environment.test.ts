// Where backups go is the backup settings' choice, made by an identity allowed to make it
// (backup:configure). The AWS SDK would otherwise take AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL
// from the environment the app was started in when the settings name no endpoint (AWS itself),
// sending signed requests, the catalog and the encrypted backups to whoever set them.
// The request is stopped in the SDK's own pipeline before anything is sent: nothing leaves.
import { afterEach, describe, expect, it } from 'vitest';
import { BackupSettingsSchema } from '../../../../../src/main/services/backup/backup-config';
import { S3Store } from '../../../../../src/main/services/backup/s3-store';

const saved = { ...process.env };
afterEach(() => {
  for (const k of ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS']) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

async function hostOfFirstRequest(store: S3Store): Promise<string> {
  let host = '';
  store.client.middlewareStack.add(
    () => async (args) => {
      host = (args.request as { hostname: string }).hostname;
      throw new Error('stopped before sending');
    },
    { step: 'finalizeRequest', name: 'captureHost', priority: 'high' },
  );
  await expect(store.list('vault-console/')).rejects.toThrow();
  return host;
}

describe('the backup S3 endpoint never comes from the environment', () => {
  it('with no endpoint in the settings, AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL are ignored', async () => {
    process.env.AWS_ENDPOINT_URL_S3 = 'https://s3-hostile.invalid:9443';
    process.env.AWS_ENDPOINT_URL = 'https://any-hostile.invalid:9443';
    const cfg = BackupSettingsSchema.parse({ bucket: 'vault-backups', region: 'eu-west-1' });
    const store = new S3Store({ ...cfg, credentials: { accessKeyId: 'AKIASENTINEL0000KEY', secretAccessKey: 'sentinel' } });
    try {
      const host = await hostOfFirstRequest(store);
      expect(host).not.toMatch(/hostile/);
      expect(host).toMatch(/\.amazonaws\.com$/);
    } finally {
      store.close();
    }
  });

  it('an endpoint in the settings is used as given', async () => {
    process.env.AWS_ENDPOINT_URL_S3 = 'https://s3-hostile.invalid:9443';
    const cfg = BackupSettingsSchema.parse({ bucket: 'vault-backups', region: 'us-east-1', endpoint: 'https://s3.example.test', forcePathStyle: true });
    const store = new S3Store({ ...cfg, credentials: { accessKeyId: 'AKIASENTINEL0000KEY', secretAccessKey: 'sentinel' } });
    try {
      expect(await hostOfFirstRequest(store)).toBe('s3.example.test');
    } finally {
      store.close();
    }
  });
});
