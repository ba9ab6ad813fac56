// Attack: delete a whole namespace. OpenBao drops every mount inside it, a tenants KV
// mount and its secrets included, with one `DELETE sys/namespaces/<ns>`: no KV delete
// is logged, so the deletion rule never sees it. It must be a red sys-critical alert
// like disabling the mount itself (`DELETE sys/mounts/tenants`).
import { beforeAll, describe, expect, it } from 'vitest';
import { baoFetch, loadTestServices, type ServicesState } from '../../helpers/services';
import { freshTenant, importOffline } from './live-audit';

let s: ServicesState;
beforeAll(async () => {
  s = await loadTestServices();
});

describe('deleting a namespace that holds a tenants mount', () => {
  it('is a red sys-critical alert, not a silent loss of every secret in it', async () => {
    const ns = `red-ns-${Math.random().toString(36).slice(2, 8)}`;
    const tenant = freshTenant();
    const inNs = (method: string, path: string, body?: unknown) => fetch(`${s.openbao.addr}/v1/${path}`, {
      method,
      headers: { 'X-Vault-Token': s.openbao.rootToken, 'X-Vault-Namespace': ns, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    expect((await baoFetch(s, 'POST', `sys/namespaces/${ns}`, { body: {} })).status).toBe(200);
    expect((await inNs('POST', 'sys/mounts/tenants', { type: 'kv', options: { version: '2' } })).status).toBe(204);
    let wrote = 0;
    for (let i = 0; i < 50 && wrote !== 200; i++) {
      wrote = (await inNs('POST', `tenants/data/${tenant}/ssh/admin`, { data: { value: 'placeholder' } })).status;
      if (wrote !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(wrote).toBe(200);
    expect((await inNs('GET', `tenants/data/${tenant}/ssh/admin`)).status).toBe(200);

    // The attack: one request, and the tenant's secret is gone.
    expect((await baoFetch(s, 'DELETE', `sys/namespaces/${ns}`)).status).toBe(200);
    let gone = false;
    for (let i = 0; i < 50 && !gone; i++) {
      gone = (await baoFetch(s, 'GET', `${ns}/tenants/data/${tenant}/ssh/admin`)).status === 404;
      if (!gone) await new Promise((r) => setTimeout(r, 100));
    }
    expect(gone).toBe(true);

    const audit = await importOffline([s.openbao.auditLogPath]);
    const r = await audit.alerts({});
    const alert = r.alerts.find((a) => a.kind === 'sys-critical' && a.title.includes(`sys/namespaces/${ns}`) && a.title.startsWith('delete'));
    expect(alert, 'namespace deletion alert').toBeDefined();
    expect(alert!.severity).toBe('red');
  });
});
