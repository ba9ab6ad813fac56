// Lines in the selected streams that are not the console's events (the raw copy an
// agent ships per docs/audit-victorialogs.md, or anything anyone posts to /insert):
// raw lines and unknown actions never count; none is ever paged as an event, cuts a page
// short or stops paging early.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_ALERT_SETTINGS, detectAlerts } from '../../../src/main/services/audit/alert-detector';
import { eventIdOf } from '../../../src/main/services/audit-source/event-fields';
import type { VictoriaLogsAuditSource } from '../../../src/main/services/audit-source/victorialogs-source';
import { startVictoriaLogs, type VictoriaLogsInstance } from '../../services/victorialogs/victorialogs';
import { eventLine, flushedSource, postLines, stopBoth } from './both-sources';

let vl: VictoriaLogsInstance;
let source: VictoriaLogsAuditSource;
const T0 = Date.now() - 3_600_000;

const line = eventLine;
const post = (lines: object[], streamFields?: string) => postLines(vl, lines, streamFields);

async function all(filter = {}, size = 5) {
  const out: string[] = [];
  let cursor = null;
  for (let i = 0; i < 100; i++) {
    const p = await source.page(filter, cursor, size);
    out.push(...p.events.map((e) => e.key));
    if (!p.nextCursor) break;
    cursor = p.nextCursor;
  }
  return out;
}

beforeAll(async () => {
  vl = await startVictoriaLogs();
  // 20 real events a second apart.
  await post(Array.from({ length: 20 }, (_, i) => line(`v:${i}`, T0 + i * 1000)));
  // The raw copy of Vault's entries, as the documented Vector setup ships it: same cluster, kind="raw".
  await post(Array.from({ length: 7 }, (_, i) => ({ vault_cluster: 'test-cluster', kind: 'raw', _time: new Date(T0 + i * 1000 + 500).toISOString(), _msg: '{"type":"response","request":{"path":"tenants/data/t-000001/ssh/admin"}}' })), 'vault_cluster,kind');
  // Lines that name a key and an action but no numeric time, or no known action.
  await post([line('junk:ts', T0 + 2500, { ts: 'soon' }), line('junk:action', T0 + 3500, { action: 'bogus' }), { ...line('junk:nokey', T0 + 4500), key: '' }]);
  source = await flushedSource(vl);
}, 60_000);

afterAll(() => stopBoth(vl, source));

it('raw lines in a matching stream are not counted, charted or paged as events', async () => {
  const keys = await all();
  expect(keys.length).toBe(20);
  expect(new Set(keys).size).toBe(20);
  // Counts are `stats` over lines with a known action (filtering on the key and ts columns
  // too would read both for every search: seconds at fleet scale): the raw copy and the
  // unknown action are never counted; a posted line with a known action is, like any
  // well-formed line anyone may post (docs/audit-victorialogs.md).
  const c = await source.counts({});
  expect(c.total).toBe(22);
  const t = await source.counts({ text: 'ssh/admin' });
  expect(t.total).toBe(22);
  expect(Object.values(c.byAction).reduce((a, b) => a + b, 0)).toBe(22);
  const chart = await source.histogram({});
  expect(JSON.stringify(chart)).not.toContain('bogus');
  expect((await source.timeBounds())!.min).toBe(T0);
});

it('a posted "unclassified" line whose ts is not a number does not break the alerts', async () => {
  await post([
    line('junk:unclassified', T0 + 5500, { action: 'unclassified', ts: 'x' }),
    line('junk:unclassified2', T0 + 6500, { action: 'unclassified', ts: 1 }),
    // Its time holds together, its id is a real event's (the events list refuses it too).
    line('junk:unclassified3', T0 + 7500, { action: 'unclassified', id: eventIdOf('v:3') }),
  ]);
  await vl.flush();
  const input = await source.detectorInput(T0 - 86_400_000, Date.now(), DEFAULT_ALERT_SETTINGS);
  expect(input.unclassified?.count).toBe(0);
  expect(() => detectAlerts(input, DEFAULT_ALERT_SETTINGS)).not.toThrow();
});
