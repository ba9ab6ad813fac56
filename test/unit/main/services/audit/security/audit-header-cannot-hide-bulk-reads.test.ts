// Attack (issue 12, item 1): 150 reads of tenant secrets in a minute, each sent with
// "X-Vault-Console-Action: action=reveal", were stored as "reveal" and the bulk-read
// rule never counted them. They are reads (Vault's record), the bulk-read alert counts
// all 150, and a bulk labelled with a one-secret console action is a red alert.
// Real OpenBao 2.4 log: fixtures/audit/openbao-2.4-adversary.jsonl, section B.
import { beforeAll, describe, expect, it } from 'vitest';
import { allEvents, loadAdversary, type Loaded } from './adversary';

let l: Loaded;
beforeAll(async () => {
  l = await loadAdversary();
});

describe('a console header cannot hide a bulk of reads', () => {
  it('stores every labelled read as a read by the identity that made it', () => {
    const reads = allEvents(l.audit).filter((e) => e.user === 'bulkreader' && e.tenant !== null);
    expect(reads).toHaveLength(150);
    expect(reads.every((e) => e.action === 'read' && e.operation === 'read' && e.consoleHeader?.startsWith('action=reveal;') && !e.headerConflict)).toBe(true);
    expect(l.audit.repo.counts({ user: 'bulkreader', action: 'read' }).total).toBe(150);
  });

  it('raises the bulk-read alert over all 150, and a red alert for the harmless label on them', async () => {
    const r = await l.audit.alerts({ user: 'bulkreader' });
    const bulk = r.alerts.find((a) => a.kind === 'bulk-reads')!;
    expect(bulk).toMatchObject({ severity: 'yellow', eventCount: 150, subject: 'bulkreader' });
    const lie = r.alerts.find((a) => a.kind === 'header-contradiction')!;
    expect(lie).toMatchObject({ severity: 'red', eventCount: 150 });
    expect(lie.title).toMatch(/Reads labelled "reveal" by bulkreader: 150 in a bulk of 150/);
  });

  it('a single labelled reveal is no alert (the console does read one secret per reveal)', async () => {
    // The log without reads b-1 ... b-149 (request and response entries), only b-0 stays.
    const l2 = await loadAdversary({ edit: (lines) => lines.filter((x) => !/action=reveal;req=b-([1-9]|[1-9]\d|1[0-4]\d)"/.test(x)) });
    const reads = allEvents(l2.audit).filter((e) => e.user === 'bulkreader' && e.tenant !== null);
    expect(reads).toHaveLength(1);
    const r = await l2.audit.alerts({ user: 'bulkreader' });
    expect(r.alerts.filter((a) => a.kind === 'header-contradiction' || a.kind === 'bulk-reads')).toHaveLength(0);
  });
});
