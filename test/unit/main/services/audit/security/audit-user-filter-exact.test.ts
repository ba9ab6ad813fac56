// Bug (issue 12, item 5): "audit alerts -user=reader10" returned reader101's alert (a
// substring match) while "audit query -user=reader10" returned nothing. The user filter
// means one thing everywhere (viewer, CLI, alerts, exports): the exact normalised name.
// Real OpenBao 2.4 log: fixtures/audit/openbao-2.4-adversary.jsonl, section F.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../../../../src/main/cli';
import { ADVERSARY, loadAdversary, type Loaded } from './adversary';

let l: Loaded;
beforeAll(async () => {
  l = await loadAdversary();
});

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {} });
  return { code, out, err };
}

describe('the user filter is an exact match of the normalised name, everywhere', () => {
  it('alerts: reader10 gets none of reader101’s; READER101 gets them', async () => {
    expect((await l.audit.alerts({ user: 'reader10' })).alerts).toEqual([]);
    const r101 = await l.audit.alerts({ user: 'READER101' });
    expect(r101.alerts.map((a) => a.kind)).toContain('failed-auth-user');
    expect(r101.alerts.every((a) => a.users.includes('reader101'))).toBe(true);
  });

  it('query and export: reader10 is reader10 only, in any case', async () => {
    const q = l.audit.repo.page({ user: 'Reader10' }, null, 100).events;
    expect(q.length).toBeGreaterThan(0);
    expect(new Set(q.map((e) => e.user))).toEqual(new Set(['reader10']));
    const out = await l.audit.exportTo({ user: 'reader10' }, 'ndjson', join(l.dir, 'r10.ndjson'));
    const users = readFileSync(out.path, 'utf8').trim().split('\n').map((x) => (JSON.parse(x) as { user: string }).user);
    expect(new Set(users)).toEqual(new Set(['reader10']));
  });

  it('the CLI says the same for query and alerts', async () => {
    const db = join(l.dir, 'cli.db');
    expect((await cli(['audit', 'import', ADVERSARY, `-db=${db}`])).code).toBe(0);
    const alerts = JSON.parse((await cli(['audit', 'alerts', `-db=${db}`, '-user=reader10', '-format=json'])).out) as { alerts: unknown[] };
    expect(alerts.alerts).toEqual([]);
    const query = JSON.parse((await cli(['audit', 'query', `-db=${db}`, '-user=reader10', '-format=json'])).out) as { events: { user: string }[] };
    expect(query.events.length).toBeGreaterThan(0);
    expect(query.events.every((e) => e.user === 'reader10')).toBe(true);
    const a101 = await cli(['audit', 'alerts', `-db=${db}`, '-user=reader101', '-format=json']);
    expect(a101.code).toBe(2);
  });
});
