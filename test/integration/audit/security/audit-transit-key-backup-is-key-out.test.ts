// Attack: take the backup encryption key itself out of Vault. A transit key marked
// exportable with plaintext backups allowed comes out whole from `transit/backup/<key>`;
// with it every console backup decrypts offline, forever, without one KV read or one
// decrypt call. It must show like a key export or a decrypt (key decrypt alert).
import { beforeAll, describe, expect, it } from 'vitest';
import { baoFetch, loadTestServices, type ServicesState } from '../../helpers/services';
import { importOffline } from './live-audit';

let s: ServicesState;
beforeAll(async () => {
  s = await loadTestServices();
});

describe('a transit key backup in plaintext', () => {
  it('raises a red key-out alert, naming the key', async () => {
    const key = `red-backup-${Math.random().toString(36).slice(2, 8)}`;
    expect((await baoFetch(s, 'POST', `transit/keys/${key}`, { body: { type: 'aes256-gcm96' } })).status).toBeLessThan(300);
    expect((await baoFetch(s, 'POST', `transit/keys/${key}/config`, { body: { exportable: true, allow_plaintext_backup: true } })).status).toBe(200);
    const b = await baoFetch<{ data?: { backup?: string } }>(s, 'GET', `transit/backup/${key}`);
    expect(b.status).toBe(200);
    // The backup holds the key material in clear (base64 JSON).
    expect(Buffer.from(b.body.data!.backup!, 'base64').toString('utf8')).toMatch(/"key":"/);

    const audit = await importOffline([s.openbao.auditLogPath]);
    const alerts = (await audit.alerts({})).alerts;
    const a = alerts.find((x) => x.kind === 'key-decrypt' && x.title.includes(key));
    expect(a, 'key backup alert').toBeDefined();
    expect(a!.title).toContain(`transit/${key}`);
    expect(a!.title).toMatch(/taken out in plaintext/);
    expect(a!.severity).toBe('red');
  });
});
