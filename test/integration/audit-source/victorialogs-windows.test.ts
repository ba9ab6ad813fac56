// Fleet scale on VictoriaLogs: pages, exports and counts walk time windows (an hour, then
// wider) instead of sorting every match. Events spread over two years in bursts with long
// gaps, several in one millisecond, are paged newest first, exported oldest first and
// counted on a real VictoriaLogs and on the local store (the same log in both): every
// event exactly once, in time order, the same set as the local store; counts exact under
// the cap and "at least" (capped) over it; an event that arrives after the source read its
// time bounds is on the first page at once.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditFilter } from '../../../src/shared/contracts/audit';
import type { AuditEventSource } from '../../../src/main/services/audit-source/audit-source';
import { windows } from '../../../src/main/services/audit-source/victorialogs-source';
import type { StoredEvent } from '../../../src/main/services/storage/audit-repo';
import { generate } from '../../../bench/audit-log-generator';
import { startVictoriaLogs, type VictoriaLogsInstance } from '../../services/victorialogs/victorialogs';
import { forwardFile, loadBoth } from './both-sources';

const DAY = 86_400_000;
let vl: VictoriaLogsInstance;
let local: AuditEventSource;
let remote: AuditEventSource;
let dir: string;

/** A Vault audit log of `n` events from `start`; every third event shares its predecessor's millisecond. */
function burst(file: string, start: number, n: number, seed: number) {
  const lines: string[] = [];
  let prev = '';
  let i = 0;
  for (const [req, res] of generate({ events: n, start, seed, tenants: 5 })) {
    const time = /"time":"([^"]+)"/.exec(req)![1]!;
    const use = i % 3 === 2 && prev ? prev : time;
    prev = use;
    lines.push(req.replace(`"time":"${time}"`, `"time":"${use}"`), res);
    i++;
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

beforeAll(async () => {
  vl = await startVictoriaLogs();
  const now = Date.now();
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const tmp = mkdtempSync(join(tmpdir(), 'vc-vl-windows-'));
  // Bursts two years, 200 days, 10 days, 5 hours and 10 minutes ago: first windows are empty,
  // later ones wide, the last one beyond every bound.
  const files = [730 * DAY, 200 * DAY, 10 * DAY, 5 * 3_600_000, 600_000].map((ago, k) => {
    const f = join(tmp, `burst-${k}.log`);
    burst(f, now - ago, 150 + 40 * k, 11 + k);
    return f;
  });
  ({ local, remote, dir } = await loadBoth(vl, files));
}, 240_000);

afterAll(async () => {
  remote?.close();
  await vl?.stop();
});

async function pageAll(source: AuditEventSource, filter: AuditFilter, size: number): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let cursor = null;
  for (let guard = 0; guard < 10_000; guard++) {
    const p = await source.page(filter, cursor, size);
    out.push(...p.events);
    if (!p.nextCursor) return out;
    cursor = p.nextCursor;
  }
  throw new Error('paging did not end');
}

async function exportAll(source: AuditEventSource, filter: AuditFilter, size: number): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const chunk of source.chunks(filter, size)) out.push(...chunk);
  return out;
}

const keys = (l: StoredEvent[]) => l.map((e) => e.key);
const sortedKeys = (l: StoredEvent[]) => [...keys(l)].sort();

describe('VictoriaLogs pages, exports and counts in time windows (real VictoriaLogs, the local store beside it)', () => {
  const filters: { name: string; filter: AuditFilter }[] = [
    { name: 'everything', filter: {} },
    { name: 'reads', filter: { action: 'read' } },
    { name: 'free text', filter: { text: 'smtp' } },
    { name: 'a date range across two bursts', filter: { from: new Date(Date.now() - 300 * DAY).toISOString(), to: new Date(Date.now() - DAY).toISOString() } },
    { name: 'hide housekeeping', filter: { hideHousekeeping: true } },
    // A tenant: the page's reach and the counts come from one stats query by day.
    { name: 'a tenant', filter: { tenant: 't-000003' } },
    { name: 'a user', filter: { user: 'admin03', hideHousekeeping: true } },
    { name: 'a tenant in a date range', filter: { tenant: 't-000002', from: new Date(Date.now() - 300 * DAY).toISOString() } },
  ];

  for (const { name, filter } of filters) {
    it(`${name}: newest first in pages of 7 and 50, every event once, the local store's set`, async () => {
      const want = await pageAll(local, filter, 1000);
      expect(want.length).toBeGreaterThan(0);
      for (const size of [7, 50]) {
        const got = await pageAll(remote, filter, size);
        expect(new Set(keys(got)).size).toBe(got.length);
        for (let i = 1; i < got.length; i++) expect(got[i]!.ts).toBeLessThanOrEqual(got[i - 1]!.ts);
        expect(sortedKeys(got)).toEqual(sortedKeys(want));
      }
    });

    it(`${name}: an export walks oldest first in chunks of 9 and 64, every event once`, async () => {
      const want = await exportAll(local, filter, 5000);
      for (const size of [9, 64]) {
        const got = await exportAll(remote, filter, size);
        expect(new Set(keys(got)).size).toBe(got.length);
        for (let i = 1; i < got.length; i++) expect(got[i]!.ts).toBeGreaterThanOrEqual(got[i - 1]!.ts);
        expect(sortedKeys(got)).toEqual(sortedKeys(want));
      }
    });

    it(`${name}: counts are the local store's, and "at least" past the cap`, async () => {
      const want = await local.counts(filter, 100_000);
      const got = await remote.counts(filter, 100_000);
      expect(got).toEqual({ ...want, byActionOf: want.total });
      const cap = Math.floor(want.total / 2);
      const capped = await remote.counts(filter, cap);
      if (filter.tenant) {
        // A tenant's events are counted in one query over the whole range: exact.
        expect(capped).toEqual(got);
        return;
      }
      expect(capped.capped).toBe(true);
      expect(capped.total).toBeGreaterThanOrEqual(cap);
      expect(capped.total).toBeLessThan(want.total);
      expect(Object.values(capped.byAction).reduce((a, b) => a + b, 0)).toBe(capped.total);
    });
  }

  it('an event that arrives after the time bounds were read is on the first page at once', async () => {
    await remote.page({}, null, 10);
    const f = join(dir, 'late.log');
    burst(f, Date.now() - 1_000, 1, 99);
    await forwardFile(vl, f, dir);
    await vl.flush();
    const late = (await exportAll(remote, { from: new Date(Date.now() - 60_000).toISOString() }, 100)).map((e) => e.key);
    const first = await remote.page({}, null, 10);
    expect(late.length).toBeGreaterThan(0);
    expect(keys(first.events)).toContain(late.at(-1));
  });

  it('windows tile the range without overlap, widening, the last without a far bound', () => {
    const t0 = Date.UTC(2026, 0, 1);
    const desc = [...windows({ dir: 'desc', edge: t0, anchor: t0, far: t0 - 30 * DAY })];
    expect(desc[0]).toBe(`_time:<=${new Date(t0).toISOString()} _time:>=${new Date(t0 - 3_600_000).toISOString()}`);
    expect(desc[1]).toBe(`_time:<${new Date(t0 - 3_600_000).toISOString()} _time:>=${new Date(t0 - 9 * 3_600_000).toISOString()}`);
    expect(desc.at(-1)).toMatch(/^_time:<\S+$/);
    const asc = [...windows({ dir: 'asc', edge: t0, anchor: t0, far: t0 + 2 * DAY })];
    expect(asc[0]).toBe(`_time:>=${new Date(t0).toISOString()} _time:<${new Date(t0 + 3_600_000).toISOString()}`);
    expect(asc[1]).toBe(`_time:>=${new Date(t0 + 3_600_000).toISOString()} _time:<${new Date(t0 + 9 * 3_600_000).toISOString()}`);
    expect(asc.at(-1)).toMatch(/^_time:>=\S+$/);
    // Each window starts where the one before stopped short (desc) or ends (asc): no instant in neither.
    for (const list of [desc, asc]) {
      for (let i = 1; i < list.length; i++) {
        const prevFar = /_time:(?:>=|<)(\S+)$/.exec(list[i - 1]!)![1];
        expect(list[i]!.startsWith(`_time:${list === desc ? '<' : '>='}${prevFar}`)).toBe(true);
      }
    }
    // The first window reaches an hour past the anchor (the newest event), not past a far edge.
    const anchored = [...windows({ dir: 'desc', edge: t0 + 2 * DAY, anchor: t0, far: t0 - DAY })];
    expect(anchored[0]).toBe(`_time:<=${new Date(t0 + 2 * DAY).toISOString()} _time:>=${new Date(t0 - 3_600_000).toISOString()}`);
  });
});
