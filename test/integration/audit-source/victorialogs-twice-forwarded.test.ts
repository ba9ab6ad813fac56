// The same event in VictoriaLogs twice (a forwarder run with a lost cursor, or an agent
// and the forwarder both shipping it): listed once, exported once, and counted once by
// the alert rules, as the local store (one row per key) does. A line with the same key
// that says something else is not collapsed into the real one: both are listed.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_ALERT_SETTINGS, detectBulkReads } from '../../../src/main/services/audit/alert-detector';
import { eventIdOf } from '../../../src/main/services/audit-source/event-fields';
import type { VictoriaLogsAuditSource } from '../../../src/main/services/audit-source/victorialogs-source';
import { startVictoriaLogs, type VictoriaLogsInstance } from '../../services/victorialogs/victorialogs';
import { eventLine, flushedSource, postLines, stopBoth } from './both-sources';

let vl: VictoriaLogsInstance;
let source: VictoriaLogsAuditSource;
const T0 = Date.now() - 3_600_000;
const N = 60;

function line(key: string, ts: number, extra: Record<string, unknown> = {}) {
  const path = `tenants/data/t-000001/ssh/k${key}`;
  return eventLine(key, ts, { _msg: path, path, ident: 'u:alice', ...extra });
}

beforeAll(async () => {
  vl = await startVictoriaLogs();
  const batch = Array.from({ length: N }, (_, i) => line(`v:${i}`, T0 + i * 500));
  for (let i = 0; i < 2; i++) await postLines(vl, batch);
  // Same key as v:7, but another path: not the same line.
  await postLines(vl, [line('v:7', T0 + 7 * 500, { path: 'tenants/data/t-000001/ssh/other', _msg: 'tenants/data/t-000001/ssh/other' })]);
  source = await flushedSource(vl);
}, 60_000);

afterAll(() => stopBoth(vl, source));

it('pages and exports list each event once (a differing line with its key too)', async () => {
  for (const size of [...Array.from({ length: 19 }, (_, i) => i + 2), 50, 53, 500]) {
    const keys: string[] = [];
    let cursor = null;
    for (let i = 0; i < 100; i++) {
      const p = await source.page({}, cursor, size);
      keys.push(...p.events.map((e) => e.key));
      if (!p.nextCursor) break;
      cursor = p.nextCursor;
    }
    expect(keys.length, `pages of ${size}`).toBe(N + 1);
    const chunked: string[] = [];
    for await (const c of source.chunks({}, size)) chunked.push(...c.map((e) => e.key));
    expect(chunked.length, `chunks of ${size}`).toBe(N + 1);
  }
  expect((await source.byIds([eventIdOf('v:3')])).length).toBe(1);
});

it('the bulk-read rule counts each read once', async () => {
  const input = await source.detectorInput(T0 - 1000, T0 + N * 500, { ...DEFAULT_ALERT_SETTINGS, bulkReadThreshold: 70 });
  expect(input.reads.length).toBe(N + 1);
  expect(detectBulkReads(input.reads, { ...DEFAULT_ALERT_SETTINGS, bulkReadThreshold: 70 })).toEqual([]);
});
