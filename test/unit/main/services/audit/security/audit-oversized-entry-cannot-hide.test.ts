// Attack: hide a read or a delete in an audit entry too big to parse. Every query
// parameter becomes an HMAC in the log, so a request with a long query string makes a
// line many times its size; a token minted with huge metadata makes every one of its
// entries big, with its auth block (not the request) first. A line over the limit
// used to be skipped. It is now scanned as it streams by (keeping only an event's
// fields) and its end gives the outcome: the read counts, the delete needs an approval
// and its "rotate" label contradicts Vault. The capture's lines are 100-280 KB; the
// limit is lowered to 64 KiB here to take the same path as a 50 MB one.
// Real OpenBao 2.4 log: fixtures/audit/openbao-2.4-adversary.jsonl, sections I8, I17.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditTailer } from '../../../../../../src/main/services/audit/audit-tailer';
import { createLogger } from '../../../../../../src/main/services/log/logger';
import { AuditRepo } from '../../../../../../src/main/services/storage/audit-repo';
import { openDatabase } from '../../../../../../src/main/services/storage/database';
import { ManualClock } from '../../../../../../src/main/services/time/clock';
import { ADVERSARY, ADVERSARY_LINES, allEvents, loadAdversary, type Loaded } from './adversary';

const LIMIT = 64 * 1024;
let l: Loaded;
beforeAll(async () => {
  l = await loadAdversary({ importOptions: { maxLineBytes: LIMIT } });
});

describe('an oversized audit entry cannot hide an event', () => {
  it('the capture holds entries over the limit', () => {
    expect(ADVERSARY_LINES.filter((x) => x.length > LIMIT).length).toBeGreaterThanOrEqual(9);
    expect(l.report.skipped.oversized).toBeGreaterThanOrEqual(9);
    expect(l.report.message).toMatch(/entries over the line size limit were read by their start and end/);
  });

  it('the read behind a huge query string is a read of the tenant secret by admin', () => {
    const read = allEvents(l.audit).find((e) => e.path === 'tenants/data/t-000901/api/ak_big' && e.action === 'read')!;
    expect(read).toMatchObject({ user: 'admin', tenant: 't-000901', status: 'ok', ip: '127.0.0.1' });
    expect(read.entityId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('the delete behind one is a delete without approval whose "rotate" label contradicts Vault', async () => {
    const del = allEvents(l.audit).find((e) => e.path === 'tenants/metadata/t-000901/api/ak_big')!;
    expect(del).toMatchObject({ action: 'delete', status: 'ok', user: 'admin', consoleHeader: 'action=rotate;req=big', headerConflict: true });
    const r = await l.audit.alerts({});
    expect(r.alerts.some((a) => a.kind === 'delete-without-approval' && a.detail.startsWith('tenants/metadata/t-000901/api/ak_big'))).toBe(true);
  });

  it('a token minted with ~100 KB of metadata (its auth block comes first, past any head) still shows its read and delete', async () => {
    expect(ADVERSARY_LINES.filter((x) => x.includes('t-000904/ssh/admin') && x.indexOf('"request":{') > LIMIT)).toHaveLength(4);
    const evs = allEvents(l.audit).filter((e) => e.path.endsWith('t-000904/ssh/admin') && e.ip === '127.0.8.1');
    expect(evs.map((e) => [e.action, e.user, e.status])).toEqual([
      ['read', 'token-fat', 'ok'],
      ['delete', 'token-fat', 'ok'],
    ]);
    const admin = allEvents(l.audit).find((e) => e.action === 'login' && e.user === 'admin')!;
    expect(evs.every((e) => e.entityId === admin.entityId)).toBe(true);
    expect(evs[1]).toMatchObject({ consoleHeader: 'action=rotate;req=fat', headerConflict: true });
  });

  it('the live tail reads them the same way', async () => {
    const repo = new AuditRepo(openDatabase(join(l.dir, 'tail.db')));
    const tailer = new AuditTailer(ADVERSARY, { repo, clock: new ManualClock(0), log: createLogger('test'), maxLineBytes: LIMIT });
    await tailer.poll();
    expect(statSync(ADVERSARY).size).toBeGreaterThan(0);
    const del = [...repo.chunks({ text: 'ak_big' })].flat().find((e) => e.action === 'delete');
    expect(del).toMatchObject({ user: 'admin', headerConflict: true });
    expect(tailer.stats.skipped).toBe(0);
    await tailer.stop();
  });
});
