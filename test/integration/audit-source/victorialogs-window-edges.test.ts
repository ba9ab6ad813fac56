// Events exactly on the boundary between two time windows are exported and paged once:
// an export walks oldest first from the oldest event (the first window an hour long), so
// events at exactly +1 h and +2 h sit on window edges; newest first likewise from the newest.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { VictoriaLogsAuditSource } from '../../../src/main/services/audit-source/victorialogs-source';
import { startVictoriaLogs, type VictoriaLogsInstance } from '../../services/victorialogs/victorialogs';
import { eventLine, flushedSource, postLines, stopBoth } from './both-sources';

const H = 3_600_000;
const T0 = Math.floor((Date.now() - 30 * 86_400_000) / 1000) * 1000;
const OFFSETS = [0, 1, H - 1, H, H + 1, 2 * H, 3 * H, 9 * H, 10 * H, 20 * H - 1, 20 * H];
let vl: VictoriaLogsInstance;
let source: VictoriaLogsAuditSource;

const line = (k: number, ts: number) => eventLine(`edge:${k}`, ts);

beforeAll(async () => {
  vl = await startVictoriaLogs();
  await postLines(vl, OFFSETS.map((o, k) => line(k, T0 + o)));
  source = await flushedSource(vl);
}, 60_000);

afterAll(() => stopBoth(vl, source));

it('an export (oldest first, chunks of 1, 2 and 100) has every event on a window edge, once, in order', async () => {
  for (const size of [1, 2, 100]) {
    const got: number[] = [];
    for await (const chunk of source.chunks({}, size)) got.push(...chunk.map((e) => e.ts - T0));
    expect(got).toEqual(OFFSETS);
  }
});

it('pages (newest first, 1, 2 and 100 a page) have every event on a window edge, once, in order', async () => {
  for (const size of [1, 2, 100]) {
    const got: number[] = [];
    let cursor = null;
    for (let i = 0; i < 100; i++) {
      const p = await source.page({}, cursor, size);
      got.push(...p.events.map((e) => e.ts - T0));
      if (!p.nextCursor) break;
      cursor = p.nextCursor;
    }
    expect(got).toEqual([...OFFSETS].reverse());
  }
});
