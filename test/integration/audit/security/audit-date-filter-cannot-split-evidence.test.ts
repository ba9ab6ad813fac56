// Attack: make the alert list depend on where the reviewer starts the date range. The
// alerts were computed from the events inside [from, to] only, so
//  - an approval used by a delete just before `from` looked unused, and a second delete
//    of the same secret with the same approval looked approved;
//  - a bulk of reads that straddles `from` counted only its second half.
// Evidence before `from` (up to the longest window a rule looks back: the approval
// validity, 24 h of wide reads) is read; alerts that end inside the range are listed.
import { beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { baoFetch, loadTestServices, userpassLogin, type ServicesState } from '../../helpers/services';
import { allEvents, freshTenant, importOffline } from './live-audit';

let s: ServicesState;
const HEADER = 'X-Vault-Console-Action';

async function newAdmin(prefix: string): Promise<{ name: string; token: string }> {
  const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  expect((await baoFetch(s, 'POST', `auth/userpass/users/${name}`, { body: { password: `${name}-password-1`, token_policies: 'vault-console-admin' } })).status).toBe(204);
  return { name, token: await userpassLogin(s, name, `${name}-password-1`) };
}

async function call(method: string, path: string, token: string, body?: unknown, header?: string): Promise<number> {
  const r = await fetch(`${s.openbao.addr}/v1/${path}`, {
    method,
    headers: { 'X-Vault-Token': token, ...(header ? { [HEADER]: header } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  await r.text();
  return r.status;
}

beforeAll(async () => {
  s = await loadTestServices();
});

describe('a date range that starts between two pieces of evidence', () => {
  it('one approval used twice: the second delete stays red whatever the range', async () => {
    const m = s.openbao.kvMount;
    const alice = await newAdmin('red-alice');
    const bob = await newAdmin('red-bob');
    const secret = `${freshTenant()}/ssh/admin`;
    const id = `apr-${randomBytes(8).toString('hex')}`;
    const rec = (status: string) => ({ path: secret, reason: 'red team', requested_by: alice.name, requested_at: new Date().toISOString(), status });
    expect(await call('POST', `${m}/data/${secret}`, s.openbao.rootToken, { data: { value: 'x' } })).toBe(200);
    expect(await call('POST', `${m}-approvals/data/requests/${id}`, alice.token, { data: rec('pending'), options: { cas: 0 } }, `action=request-approval;approval=${id}`)).toBe(200);
    expect(await call('POST', `${m}-approvals/data/requests/${id}`, bob.token, { data: rec('approved'), options: { cas: 1 } }, `action=approve;approval=${id}`)).toBe(200);
    expect(await call('DELETE', `${m}/metadata/${secret}`, alice.token, undefined, `action=delete;approval=${id}`)).toBe(204);
    // The secret comes back (written again) and is deleted again on the same approval.
    expect(await call('POST', `${m}/data/${secret}`, s.openbao.rootToken, { data: { value: 'y' } })).toBe(200);
    await new Promise((r) => setTimeout(r, 20));
    expect(await call('DELETE', `${m}/metadata/${secret}`, alice.token, undefined, `action=delete;approval=${id}`)).toBe(204);

    const audit = await importOffline([s.openbao.auditLogPath]);
    const deletes = allEvents(audit).filter((e) => e.action === 'delete' && e.path === `${m}/metadata/${secret}`);
    expect(deletes).toHaveLength(2);
    const redFor = async (from?: string) => (await audit.alerts(from ? { from } : {})).alerts.filter((a) => a.kind === 'delete-without-approval' && a.detail.startsWith(`${m}/metadata/${secret}`));
    const full = await redFor();
    expect(full).toHaveLength(1);
    expect(full[0]!.eventIds).toEqual([deletes[1]!.id]);
    expect(full[0]!.detail).toMatch(/used by an earlier delete/);
    // The reviewer starts the range right after the first delete: the second is still red, for the same reason.
    const narrowed = await redFor(new Date(deletes[0]!.ts + 1).toISOString());
    expect(narrowed.map((a) => a.eventIds)).toEqual([[deletes[1]!.id]]);
    expect(narrowed[0]!.detail).toMatch(/used by an earlier delete/);
  });

  it('a bulk of reads cut in two by the range start is still a bulk', async () => {
    const m = s.openbao.kvMount;
    const reader = await newAdmin('red-bulk');
    const secrets = Array.from({ length: 30 }, () => `${freshTenant()}/api/key`);
    for (const p of secrets) expect(await call('POST', `${m}/data/${p}`, s.openbao.rootToken, { data: { value: 'x' } })).toBe(200);
    for (let i = 0; i < 120; i++) expect(await call('GET', `${m}/data/${secrets[i % secrets.length]}`, reader.token)).toBe(200);

    const audit = await importOffline([s.openbao.auditLogPath]);
    const reads = allEvents(audit).filter((e) => e.action === 'read' && e.user === reader.name);
    expect(reads).toHaveLength(120);
    const bulk = async (from?: string) => (await audit.alerts(from ? { from } : {})).alerts.filter((a) => a.kind === 'bulk-reads' && a.users.includes(reader.name));
    expect(await bulk()).toHaveLength(1);
    // From the 61st read on, only 60 reads are in range; the 60 before them are part of the same bulk.
    const cut = await bulk(new Date(reads[60]!.ts).toISOString());
    expect(cut).toHaveLength(1);
    expect(cut[0]!.eventCount).toBe(120);
  });
});
