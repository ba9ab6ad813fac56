// Attack (issue 12, item 1): a DELETE sent with "X-Vault-Console-Action: action=rotate"
// (or a destroy labelled "reveal", a soft delete labelled "download") was stored as the
// harmless action and raised no deletion alert. Vault's own record decides: each is a
// delete, the header is kept beside it, and the contradiction is itself a red alert.
// Real OpenBao 2.4 log: fixtures/audit/openbao-2.4-adversary.jsonl, section A (and I12).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { toView } from '../../../../../../src/main/services/storage/audit-repo';
import { ADVERSARY_LINES, allEvents, loadAdversary, type Loaded } from './adversary';

let l: Loaded;
beforeAll(async () => {
  l = await loadAdversary();
});

const A = [
  { path: 'tenants/metadata/t-000101/profile', header: 'action=rotate;req=a-1', operation: 'delete' },
  { path: 'tenants/destroy/t-000102/ssh/admin', header: 'action=reveal;req=a-2', operation: 'update' },
  { path: 'tenants/data/t-000103/smtp/admin', header: 'action=download;req=a-3', operation: 'delete' },
];

describe('a console header cannot hide a delete', () => {
  it.each(A)('$path labelled "$header" is stored as Vault did it: a delete, with the header beside it', ({ path, header, operation }) => {
    const e = allEvents(l.audit).find((x) => x.path === path && x.consoleHeader === header)!;
    expect(e).toMatchObject({ action: 'delete', operation, status: 'ok', user: 'admin', headerConflict: true });
    expect(toView(e)).toMatchObject({ action: 'delete', consoleAction: header.slice(7, header.indexOf(';')), headerConflict: true });
  });

  it('raises "deletion without approval" and "header contradicts Vault" for each, in red', async () => {
    const r = await l.audit.alerts({});
    for (const { path } of A) {
      expect(r.alerts.some((a) => a.kind === 'delete-without-approval' && a.severity === 'red' && a.detail.startsWith(path))).toBe(true);
    }
    const lies = r.alerts.filter((a) => a.kind === 'header-contradiction' && a.severity === 'red');
    for (const said of ['rotate', 'reveal', 'download']) expect(lies.some((a) => a.title.includes(`"${said}"`) && a.title.includes('Vault did delete'))).toBe(true);
  });

  it('the action filter and the exports see the deletes as deletes', async () => {
    const deletes = l.audit.repo.page({ action: 'delete', tenant: 't-000101' }, null, 10).events;
    expect(deletes.map((e) => e.path)).toEqual(['tenants/metadata/t-000101/profile']);
    expect(l.audit.repo.page({ action: 'rotate' }, null, 10).events.filter((e) => e.source === 'vault')).toHaveLength(0);
    const out = await l.audit.exportTo({ tenant: 't-000101' }, 'csv', join(l.dir, 'a.csv'));
    const csv = readFileSync(out.path, 'utf8');
    expect(csv).toMatch(/,delete,t-000101,admin,profile,.*,delete,tenants\/,[0-9a-f-]{36},action=rotate;req=a-1,true,/);
  });

  it('a header sent twice ("rotate" and "delete" with an approval id) on one delete is kept whole and contradicts', async () => {
    const e = allEvents(l.audit).find((x) => x.path === 'tenants/metadata/t-000902/ssh/admin')!;
    expect(e).toMatchObject({ action: 'delete', headerConflict: true, consoleHeader: 'action=rotate | action=delete;approval=apr-000000000000a001' });
    const r = await l.audit.alerts({});
    // The approval it names belongs to another secret: still a delete without approval.
    expect(r.alerts.some((a) => a.kind === 'delete-without-approval' && a.detail.startsWith('tenants/metadata/t-000902/ssh/admin'))).toBe(true);
  });

  it('setting a secret\'s version retention (delete_version_after, labelled rotate) deletes later: it is a delete', async () => {
    const e = allEvents(l.audit).find((x) => x.path === 'tenants/metadata/t-000903/ssh/admin' && x.operation === 'update')!;
    expect(e).toMatchObject({ action: 'delete', consoleHeader: 'action=rotate;req=ret', headerConflict: true });
    const r = await l.audit.alerts({});
    expect(r.alerts.some((a) => a.kind === 'delete-without-approval' && a.detail.startsWith('tenants/metadata/t-000903/ssh/admin'))).toBe(true);
  });

  it('a flood of cheap contradictions (300 labelled lookups, an hour apart) never pushes a delete off the listed 200', async () => {
    const lookup = ADVERSARY_LINES.filter((x) => x.includes('apr-00000000000000c1') && x.includes('lookup-self'));
    expect(lookup).toHaveLength(2);
    const flood = Array.from({ length: 300 }, (_, i) =>
      lookup.map((x) =>
        x
          .replace(/"id":"([0-9a-f-]{36})"/, (_m, id: string) => `"id":"${id.slice(0, 24)}${String(i).padStart(12, '0')}"`)
          .replace(/"time":"([^"]+)"/, (_m, t: string) => `"time":"${new Date(Date.parse(t) + (i + 1) * 3_600_000).toISOString()}"`),
      ),
    ).flat();
    const l2 = await loadAdversary({ edit: (lines) => [...lines, ...flood] });
    const r = await l2.audit.alerts({ from: '2000-01-01' });
    expect(r.total).toBeGreaterThan(300);
    const listed = r.alerts.map((a) => a.kind);
    expect(listed).toHaveLength(200);
    expect(listed.slice(0, listed.lastIndexOf('delete-without-approval') + 1).every((k) => k === 'delete-without-approval')).toBe(true);
    expect(listed.filter((k) => k === 'delete-without-approval').length).toBeGreaterThan(10);
  });
});
