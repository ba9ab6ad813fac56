// Attack: delete a tenant secret without a delete. KV v2 keeps 10 versions of a secret by
// default (mount config max_versions 0): ten writes of junk push the real value out of
// history for good. An admin's token may write, writes raise nothing, and no request
// ever says "delete". Ten or more writes to one secret within 24 hours flush its history:
// red, like a delete without approval.
import { beforeAll, describe, expect, it } from 'vitest';
import { baoFetch, loadTestServices, userpassLogin, type ServicesState } from '../../helpers/services';
import { freshTenant, importOffline } from './live-audit';

let s: ServicesState;
let admin: string;
beforeAll(async () => {
  s = await loadTestServices();
  admin = await userpassLogin(s, s.openbao.users.admin.username, s.openbao.users.admin.password);
});

describe('overwriting a secret until KV forgets its value', () => {
  it('is red: the value before the writes is gone as by a delete', async () => {
    const m = s.openbao.kvMount;
    const victim = `${freshTenant()}/smtp/admin`;
    const rotatedOnce = `${freshTenant()}/smtp/admin`;
    expect((await baoFetch(s, 'POST', `${m}/data/${victim}`, { body: { data: { value: 'the real password' } } })).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await baoFetch(s, 'POST', `${m}/data/${rotatedOnce}`, { token: admin, body: { data: { value: `rotation ${i}` } } })).status).toBe(200);

    // The attack: ten writes by the admin.
    for (let i = 0; i < 10; i++) expect((await baoFetch(s, 'POST', `${m}/data/${victim}`, { token: admin, body: { data: { value: `junk ${i}` } } })).status).toBe(200);
    // Vault no longer has the value: version 1 is gone for good.
    expect((await baoFetch(s, 'GET', `${m}/data/${victim}?version=1`)).status).toBe(404);

    const audit = await importOffline([s.openbao.auditLogPath]);
    const alerts = (await audit.alerts({})).alerts;
    const flush = alerts.find((a) => a.kind === 'delete-without-approval' && a.detail.includes(`${m}/data/${victim}`));
    expect(flush, 'history flush alert').toBeDefined();
    expect(flush!.severity).toBe('red');
    expect(flush!.eventCount).toBeGreaterThanOrEqual(10);
    expect(flush!.users).toContain(s.openbao.users.admin.username);
    // A few writes (a rotation or three) are not a flush.
    expect(alerts.some((a) => a.detail.includes(rotatedOnce))).toBe(false);
  });
});
