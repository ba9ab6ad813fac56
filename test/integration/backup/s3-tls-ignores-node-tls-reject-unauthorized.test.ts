// Security regression (red team, after issue 13 item 4): the Vault transport verifies
// certificates whatever the environment says, but the backup S3 client used the SDK's
// default agent, which follows NODE_TLS_REJECT_UNAUTHORIZED: launched from a shell with
// NODE_TLS_REJECT_UNAUTHORIZED=0 (a common "make it work" line), every S3 request, signed
// with the stored keys and carrying the restore catalog, went to a self-signed server.
// Now the S3 client has its own agent that always verifies (and TLS 1.2 at least). The
// bad server is a real self-signed TLS server on loopback that records what reaches it.
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BackupSettingsSchema } from '../../../src/main/services/backup/backup-config';
import { S3Store } from '../../../src/main/services/backup/s3-store';
import { createVaultClient } from '../../../src/main/services/vault/vault-client';
import { setLogSink } from '../../../src/main/services/log/logger';
import { startUntrustedServer, type UntrustedServer } from '../../services/proxy/untrusted-server';

let bad: UntrustedServer;
let saved: string | undefined;

beforeAll(async () => {
  setLogSink(() => undefined);
  bad = await startUntrustedServer();
});

afterAll(async () => {
  await bad?.close();
});

beforeEach(() => {
  saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  bad.requests.length = 0;
});

afterEach(() => {
  if (saved === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  else process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved;
});

describe('NODE_TLS_REJECT_UNAUTHORIZED=0 turns off no certificate check', () => {
  it('the backup S3 client refuses a self-signed endpoint: no request, no signature reaches it', async () => {
    const cfg = BackupSettingsSchema.parse({ bucket: 'vault-backups', endpoint: bad.address, forcePathStyle: true, region: 'us-east-1' });
    const store = new S3Store({ ...cfg, credentials: { accessKeyId: 'AKIASENTINEL0000KEY', secretAccessKey: 'sentinel-secret-access-key' } });
    try {
      await expect(store.list('vault-console/')).rejects.toThrow();
      await expect(store.putJson('vault-console/manifest.json', { a: 1 })).rejects.toThrow();
      await expect(store.upload('vault-console/x.bin', Readable.from([Buffer.from('frame')]), {})).rejects.toThrow();
    } finally {
      store.close();
    }
    expect(bad.requests).toEqual([]);
  });

  it('(held) the Vault client refuses it too', async () => {
    const client = createVaultClient({ address: bad.address, minTlsVersion: 'TLSv1.2', kvMount: 'tenants', timeoutMs: 5_000 });
    client.setToken('hvs.SENTINEL-token-that-must-never-leave-0123456789');
    try {
      await expect(client.request('GET', 'auth/token/lookup-self')).rejects.toThrow();
    } finally {
      client.close();
    }
    expect(bad.requests).toEqual([]);
  });
});
