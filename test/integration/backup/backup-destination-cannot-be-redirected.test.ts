// Security regression (issue 13, item 7): backup:configure decides where every snapshot of
// Vault goes and with which keys. It needed no sign-in and no permission, took any
// endpoint, and kept the stored S3 keys when the endpoint or bucket changed. Now it needs
// a signed-in identity that Vault allows to make backups (update on the transit key that
// wraps their data keys: the admin yes, the auditor no), https (plain http only to this
// machine, with a warning), and a new endpoint or bucket forgets the stored keys. Real
// OpenBao, real gnome-keyring, real S3 server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectionFromEnv } from '../../../src/main/services/config/app-config';
import { createServices, type Services } from '../../../src/main/services/container';
import { createHandlers } from '../../../src/main/handlers';
import { dispatch } from '../../../src/main/handlers/dispatch';
import { KeytarSecretStore } from '../../../src/main/services/keychain/keychain.keytar';
import { setLogSink } from '../../../src/main/services/log/logger';
import { loadTestServices, type ServicesState } from '../helpers/services';
import { newBucket } from './backup-helpers';

let s: ServicesState;
const store = new KeytarSecretStore({ service: 'vault-console-test-backup-configure' });
const open: Array<{ services: Services; dir: string }> = [];

function build() {
  const dir = mkdtempSync(join(tmpdir(), 'vc-backup-configure-'));
  const services = createServices({
    connection: connectionFromEnv({ VAULT_ADDR: s.openbao.addr, VAULT_CONSOLE_KV_MOUNT: s.openbao.kvMount }),
    shell: 'harness',
    appVersion: 'test',
    platform: 'linux',
    dataDir: dir,
    secretStore: store,
    openExternal: async () => undefined,
    events: { emit: () => undefined },
  });
  open.push({ services, dir });
  return { services, handlers: createHandlers(services) };
}

beforeAll(async () => {
  s = await loadTestServices();
  setLogSink(() => undefined);
});

afterEach(async () => {
  await store.delete('backup:s3-credentials').catch(() => false);
  for (const o of open.splice(0)) {
    await o.services.session.logout().catch(() => undefined);
    await o.services.dispose();
    rmSync(o.dir, { recursive: true, force: true });
  }
});

describe('who may say where backups go, and where they may go', () => {
  it('signed out: refused, nothing stored', async () => {
    const { handlers } = build();
    const r = await dispatch(handlers, 'backup:configure', { bucket: 'stolen-backups', endpoint: 'https://s3.attacker.example' });
    expect(r).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await dispatch(handlers, 'backup:settings', {})).toMatchObject({ ok: true, value: { configured: false } });
  });

  it('the auditor (no transit key rights): refused with the path it lacks', async () => {
    const { services, handlers } = build();
    await services.session.loginUserpass(s.openbao.users.auditor.username, s.openbao.users.auditor.password);
    const r = await dispatch(handlers, 'backup:configure', { bucket: 'stolen-backups', endpoint: 'https://s3.attacker.example' });
    expect(r).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED', message: expect.stringContaining('transit/encrypt/vault-console-backup') } });
    expect(await dispatch(handlers, 'backup:settings', {})).toMatchObject({ ok: true, value: { configured: false } });
  });

  it('the admin: https or local http (with a warning), never plain http elsewhere; a new bucket or endpoint forgets the S3 keys', async () => {
    const { services, handlers } = build();
    await services.session.loginUserpass(s.openbao.users.admin.username, s.openbao.users.admin.password);
    const bucket = await newBucket(s);
    const keys = { accessKeyId: s.s3!.accessKeyId, secretAccessKey: s.s3!.secretAccessKey };

    const plain = await dispatch(handlers, 'backup:configure', { bucket, endpoint: 'http://s3.example.com', forcePathStyle: true, ...keys });
    expect(plain).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringMatching(/use https/) } });
    expect(await store.get('backup:s3-credentials')).toBeNull();

    const local = await dispatch(handlers, 'backup:configure', { bucket, endpoint: s.s3!.endpoint, region: s.s3!.region, forcePathStyle: true, ...keys });
    expect(local).toMatchObject({ ok: true, value: { configured: true, hasCredentials: true, warnings: [expect.stringMatching(/this machine/)] } });
    // The configuration works: a backup reaches the real S3 server with those keys.
    const run = await dispatch(handlers, 'backup:run', { kind: 'logical' });
    expect(run).toMatchObject({ ok: true, value: { status: 'completed' } });

    const moved = await dispatch(handlers, 'backup:configure', { bucket: `${bucket}-elsewhere`, endpoint: s.s3!.endpoint, forcePathStyle: true });
    expect(moved).toMatchObject({ ok: true, value: { hasCredentials: false } });
    expect(await store.get('backup:s3-credentials')).toBeNull();

    await dispatch(handlers, 'backup:configure', { bucket, endpoint: s.s3!.endpoint, forcePathStyle: true, ...keys });
    const otherEndpoint = await dispatch(handlers, 'backup:configure', { bucket, endpoint: 'https://s3.other.example', forcePathStyle: true });
    expect(otherEndpoint).toMatchObject({ ok: true, value: { hasCredentials: false, warnings: [] } });
    expect(await store.get('backup:s3-credentials')).toBeNull();
  }, 120_000);
});
