// Attack: read many secrets unseen by spreading the reads below the bulk threshold:
// over child and batch tokens of one identity, over orphan tokens minted by root (no
// identity at all), over source addresses, or slowly over a day. Reads are counted
// per identity as Vault knows it: its entity (every token it made shares it), the
// pool of tokens without an identity, or the name; distinct secrets are counted over
// 24 hours. Threshold 20 here so the capture stays small (the default is 100).
// Real OpenBao 2.4 log: fixtures/audit/openbao-2.4-adversary.jsonl, section I1-I3.
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditAlertView } from '../../../../../../src/shared/contracts/audit';
import { TOKEN_POOL } from '../../../../../../src/main/services/audit/identity';
import { allEvents, loadAdversary, type Loaded } from './adversary';

let l: Loaded;
let alerts: AuditAlertView[];
beforeAll(async () => {
  l = await loadAdversary({ settings: { bulkReadThreshold: 20, wideReadThreshold: 30 } });
  alerts = (await l.audit.alerts({})).alerts;
});

describe('reads spread over tokens, addresses and time are still one identity’s reads', () => {
  it('three child tokens and a batch token of one login, eight reads each from eight addresses: one bulk', () => {
    const spreader = allEvents(l.audit).find((e) => e.action === 'login' && e.user === 'spreader')!;
    const reads = allEvents(l.audit).filter((e) => e.action === 'read' && e.entityId === spreader.entityId && e.path.startsWith('tenants/data/t-0007'));
    expect(reads).toHaveLength(32);
    expect(new Set(reads.map((e) => e.user)).size).toBeGreaterThanOrEqual(3);
    const bulk = alerts.find((a) => a.kind === 'bulk-reads' && a.subject.startsWith('spreader'))!;
    expect(bulk).toMatchObject({ severity: 'yellow', eventCount: 32 });
    expect(bulk.users).toEqual(expect.arrayContaining(['token-job-0', 'token-job-1', 'token-job-2']));
  });

  it('three orphan tokens minted by root (no identity): one pool, one bulk', () => {
    const bulk = alerts.find((a) => a.kind === 'bulk-reads' && a.subject.startsWith(TOKEN_POOL))!;
    expect(bulk.eventCount).toBeGreaterThanOrEqual(24);
    expect(bulk.users).toEqual(expect.arrayContaining(['token-svc-0', 'token-svc-1', 'token-svc-2']));
  });

  it('one login reading from six addresses: one bulk', () => {
    expect(alerts.some((a) => a.kind === 'bulk-reads' && a.subject.startsWith('admin'))).toBe(true);
  });

  it('more distinct secrets in a day than the wide-read threshold: yellow, whatever the pace', () => {
    const wide = alerts.find((a) => a.kind === 'wide-reads' && a.subject.startsWith('spreader'))!;
    expect(wide.severity).toBe('yellow');
    expect(wide.title).toMatch(/^3[1-9] different tenant secrets read by spreader/);
  });

  it('metadata, subkeys and list reads expose no value and are not counted as reads', () => {
    const meta = allEvents(l.audit).filter((e) => e.user === 'admin' && e.tenant === 't-000701' && e.action !== 'read');
    expect(new Set(meta.map((e) => e.action))).toEqual(new Set(['read-metadata', 'list']));
  });
});
