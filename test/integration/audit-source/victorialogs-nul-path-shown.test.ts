// A logged path holding a NUL is never the console's housekeeping (audit/housekeeping.ts):
// a line forwarded to VictoriaLogs before that rule may still carry housekeeping "1" for
// such a read. With "hide housekeeping" on, the VictoriaLogs source still shows it (and
// hides a plain housekeeping line), on a real VictoriaLogs.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { VictoriaLogsAuditSource } from '../../../src/main/services/audit-source/victorialogs-source';
import { startVictoriaLogs, type VictoriaLogsInstance } from '../../services/victorialogs/victorialogs';
import { eventLine, flushedSource, postLines, stopBoth } from './both-sources';

let vl: VictoriaLogsInstance;
let source: VictoriaLogsAuditSource;

function line(key: string, path: string, ts: number) {
  // Housekeeping "1", as a forwarder before the NUL rule shipped it.
  return eventLine(key, ts, { _msg: path.toLowerCase(), user: 'mallory', path, housekeeping: '1' });
}

beforeAll(async () => {
  vl = await startVictoriaLogs();
  const now = Date.now() - 60_000;
  await postLines(vl, [line('plain', 'tenants/data/_rotation-schedules', now), line('nul', 'tenants/data/_rotation-schedules\u0000/t-000001/ssh/admin', now + 1)]);
  source = await flushedSource(vl);
}, 60_000);

afterAll(() => stopBoth(vl, source));

it('a read whose path holds a NUL is shown with housekeeping hidden, even when its line says housekeeping', async () => {
  const all = await source.page({}, null, 10);
  expect(all.events.map((e) => e.key).sort()).toEqual(['nul', 'plain']);
  const shown = await source.page({ hideHousekeeping: true }, null, 10);
  expect(shown.events.map((e) => e.key)).toEqual(['nul']);
  expect(shown.events[0]!.path).toBe('tenants/data/_rotation-schedules\u0000/t-000001/ssh/admin');
  expect((await source.counts({ hideHousekeeping: true })).total).toBe(1);
});
