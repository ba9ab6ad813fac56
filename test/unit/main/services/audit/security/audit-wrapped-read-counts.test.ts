// Attack: read a tenant secret through response wrapping (X-Vault-Wrap-TTL): the
// response carries a wrapping token instead of data, which looked like "not found",
// and the unwrap names no secret. A wrapped read is a read that succeeded, counted
// for the identity that made it.
// Real OpenBao 2.4 log: fixtures/audit/openbao-2.4-adversary.jsonl, section I6.
import { beforeAll, describe, expect, it } from 'vitest';
import { allEvents, loadAdversary, type Loaded } from './adversary';

let l: Loaded;
beforeAll(async () => {
  l = await loadAdversary();
});

describe('response-wrapped reads', () => {
  it('are reads of the tenant secret that succeeded, by the identity that asked', () => {
    const wrapped = allEvents(l.audit).filter((e) => e.path === 'tenants/data/t-000802/smtp/admin' && e.action === 'read');
    expect(wrapped).toHaveLength(1);
    expect(wrapped[0]).toMatchObject({ status: 'ok', user: 'admin', tenant: 't-000802' });
  });

  it('the unwrap is in the trail (from its own address), never mistaken for a tenant read', () => {
    const unwrap = allEvents(l.audit).find((e) => e.path === 'sys/wrapping/unwrap')!;
    expect(unwrap).toMatchObject({ action: 'other', tenant: null, ip: '127.0.4.1', status: 'ok' });
  });
});
