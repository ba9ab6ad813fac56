// Attack: reach a tenant secret by another spelling of its path so it is not seen as a
// tenant secret: an encoded slash, a doubled slash, "./", another case, a namespace,
// a path in the cubbyhole. OpenBao decodes and cleans paths before it routes them (an
// unclean one is redirected and never logged), and the console reads the tenant from
// the path inside the KV mount Vault routed to, whatever its name or namespace.
// Real OpenBao 2.4 log: fixtures/audit/openbao-2.4-adversary.jsonl, sections I4, I5, I10.
import { beforeAll, describe, expect, it } from 'vitest';
import { allEvents, loadAdversary, type Loaded } from './adversary';

let l: Loaded;
beforeAll(async () => {
  l = await loadAdversary();
});

describe('path spellings and namespaces', () => {
  it('an encoded path is logged decoded and counted as a read of the tenant secret', () => {
    const reads = allEvents(l.audit).filter((e) => e.action === 'read' && e.user === 'admin' && e.path === 'tenants/data/t-000701/smtp/admin');
    expect(reads.length).toBeGreaterThan(0);
    expect(reads[0]).toMatchObject({ tenant: 't-000701', secretType: 'smtp', mount: 'tenants/' });
  });

  it('unclean paths (//, ./) are redirected by Vault, never served, so never logged', () => {
    expect(allEvents(l.audit).some((e) => /\/\/|\/\.\//.test(e.path))).toBe(false);
  });

  it('another case is another key (not found) or no mount at all (denied): no tenant secret was read', () => {
    const upper = allEvents(l.audit).find((e) => e.path === 'tenants/data/T-000701/smtp/admin')!;
    expect(upper).toMatchObject({ action: 'read', tenant: null, status: 'not-found' });
    const mount = allEvents(l.audit).find((e) => e.path === 'Tenants/data/t-000701/smtp/admin')!;
    expect(mount).toMatchObject({ tenant: null, status: 'denied', mount: null });
  });

  it('a tenants mount in a namespace is still tenant secrets: reads count and a delete needs approval', async () => {
    const inNs = allEvents(l.audit).filter((e) => e.path.startsWith('ns1/tenants/'));
    expect(inNs.map((e) => [e.action, e.tenant, e.mount])).toEqual(
      expect.arrayContaining([
        ['read', 't-000801', 'ns1/tenants/'],
        ['delete', 't-000801', 'ns1/tenants/'],
      ]),
    );
    const r = await l.audit.alerts({});
    expect(r.alerts.find((a) => a.kind === 'delete-without-approval' && a.detail.startsWith('ns1/tenants/metadata/t-000801/smtp/admin'))!.detail).toContain('ns1/tenants-approvals/');
  });

  it('a cubbyhole path shaped like a tenant path is not a tenant secret', () => {
    const cubby = allEvents(l.audit).filter((e) => e.path.startsWith('cubbyhole/'));
    expect(cubby.length).toBe(2);
    expect(cubby.every((e) => e.tenant === null && e.action === 'other')).toBe(true);
  });
});
