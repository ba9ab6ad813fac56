// A line posted to VictoriaLogs' /insert that claims to be an event but whose fields
// disagree (its ts is not its _time, its id is not its key's): paging and exports
// still list every real event once, and never return the line as an event.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventIdOf } from '../../../src/main/services/audit-source/event-fields';
import type { VictoriaLogsAuditSource } from '../../../src/main/services/audit-source/victorialogs-source';
import { startVictoriaLogs, type VictoriaLogsInstance } from '../../services/victorialogs/victorialogs';
import { eventLine, flushedSource, postLines, stopBoth } from './both-sources';

let vl: VictoriaLogsInstance;
let source: VictoriaLogsAuditSource;
const T0 = Date.now() - 3_600_000;
const REAL = Array.from({ length: 20 }, (_, i) => `v:${i}`);

const line = eventLine;

beforeAll(async () => {
  vl = await startVictoriaLogs();
  const lines = [
    ...REAL.map((k, i) => line(k, T0 + i * 1000)),
    // The newest line by _time, but its ts says 1970.
    line('forged:old-ts', T0 + 30_000, { ts: 1 }),
    // Between real events by _time; its ts is a real event's.
    line('forged:copy-ts', T0 + 9_500, { ts: T0 + 3000 }),
    // A real event's id under another key (byIds and the keyset name events by id).
    line('forged:id', T0 + 5000, { id: eventIdOf('v:5') }),
  ];
  await postLines(vl, lines);
  source = await flushedSource(vl);
}, 60_000);

afterAll(() => stopBoth(vl, source));

it('pages list every real event once and no line whose fields disagree', async () => {
  for (const size of [3, 5, 7, 50]) {
    const keys: string[] = [];
    let cursor = null;
    for (let i = 0; i < 100; i++) {
      const p = await source.page({}, cursor, size);
      keys.push(...p.events.map((e) => e.key));
      if (!p.nextCursor) break;
      cursor = p.nextCursor;
    }
    expect(keys.sort(), `pages of ${size}`).toEqual([...REAL].sort());
  }
});

it('exports list every real event once, oldest first', async () => {
  for (const size of [3, 5, 50]) {
    const keys: string[] = [];
    for await (const c of source.chunks({}, size)) keys.push(...c.map((e) => e.key));
    expect(keys, `chunks of ${size}`).toEqual(REAL);
  }
});

it('the time bounds (the chart and exports start there) are the events\' own, not a forged ts', async () => {
  expect(await source.timeBounds()).toEqual({ min: T0, max: T0 + 30_000 });
});

it('by id: the real event, never a line that borrows its id', async () => {
  const got = await source.byIds([eventIdOf('v:5')]);
  expect(got.map((e) => e.key)).toEqual(['v:5']);
});

it('the blast radius counts a path\'s events within the range once each: a ts outside the range, a ts that is not the line\'s time or a line posted again moves nothing', async () => {
  const range = { from: T0 - 60_000, to: T0 + 60_000 };
  const before = await source.accessTable({ kind: 'user', values: ['alice'] }, range, ['read'], ['ok']);
  // Lines posted afterwards: every real event again (a replayed forward), and a line whose ts
  // says the range's first millisecond while its _time is inside.
  await postLines(vl, [...REAL.map((k, i) => line(k, T0 + i * 1000)), line('forged:early-ts', T0 + 500, { ts: range.from })]);
  await vl.flush();
  const t = await source.accessTable({ kind: 'user', values: ['alice'] }, range, ['read'], ['ok']);
  expect(t.paths).toEqual(['tenants/data/t-000001/ssh/admin']);
  expect(t.first[0]).toBe(T0);
  expect(t.last[0]).toBe(T0 + 19_000);
  // The 20 real reads once each, plus the lines with keys of their own whose ts lies in the range
  // (forged:copy-ts, forged:id, forged:early-ts: indistinguishable from reads at their _time here);
  // never the 1970 line, never a replayed copy.
  expect(before.counts[0]).toBe(22);
  expect(t.counts[0]).toBe(23);
});
