// Conditions to pages: a trigger when a condition starts, nothing while it holds, a
// resolve with the same dedup_key when it clears; a restart (a new Pager on the same
// database) neither pages again for a condition still open nor loses the resolve.
import { describe, expect, it } from 'vitest';
import { createLogger, setLogSink } from '../../../../../src/main/services/log/logger';
import { openDatabase, type SqlDatabase } from '../../../../../src/main/services/storage/database';
import { WatchRepo } from '../../../../../src/main/services/storage/watch-repo';
import { ManualClock } from '../../../../../src/main/services/time/clock';
import { clusterKeyOf, consoleLink, Pager } from '../../../../../src/main/services/watch/pager';

setLogSink(() => undefined);

function pagerOn(db: SqlDatabase, clock = new ManualClock()) {
  const repo = new WatchRepo(db);
  let queued = 0;
  const pager = new Pager({
    repo,
    clock,
    log: createLogger('watch'),
    clusterKey: () => clusterKeyOf('https://vault.example.com:8200', 'team-a'),
    source: () => 'vault-prod',
    consoleUrl: 'vault-console://open',
    vaultAddress: () => 'https://vault.example.com:8200',
    queued: () => queued++,
  });
  return { repo, pager, queued: () => queued };
}

const sealed = { condition: 'vault-sealed' as const, active: true, severity: 'critical' as const, summary: 'Vault vault-prod is sealed', details: { sealed: true }, view: 'health' as const };

describe('pager', () => {
  it('ten observations of the same sealed Vault queue one trigger; clearing queues one resolve with the same dedup_key', () => {
    const { repo, pager, queued } = pagerOn(openDatabase(':memory:'));
    expect(pager.observe(sealed)).toBe('opened');
    for (let i = 0; i < 9; i++) expect(pager.observe(sealed)).toBe('unchanged');
    expect(pager.observe({ condition: 'vault-sealed', active: false })).toBe('resolved');
    expect(pager.observe({ condition: 'vault-sealed', active: false })).toBe('unchanged');
    const rows = repo.outbox().reverse();
    expect(rows.map((r) => r.action)).toEqual(['trigger', 'resolve']);
    expect(rows[0]!.dedupKey).toBe('vault-console/vault.example.com:8200/team-a/vault-sealed');
    expect(rows[1]!.dedupKey).toBe(rows[0]!.dedupKey);
    expect(JSON.parse(rows[0]!.eventJson)).toMatchObject({ payload: { severity: 'critical', source: 'vault-prod', custom_details: { condition: 'vault-sealed', sealed: true, console_link: 'vault-console://open?view=health&cluster=https%3A%2F%2Fvault.example.com%3A8200' } } });
    expect(queued()).toBe(2);
  });

  it('a restart while the condition holds pages nothing new; clearing after the restart still resolves', () => {
    const db = openDatabase(':memory:');
    pagerOn(db).pager.observe(sealed);
    const after = pagerOn(db);
    expect(after.pager.observe(sealed)).toBe('unchanged');
    expect(after.pager.openPages()).toEqual([expect.objectContaining({ condition: 'vault-sealed', severity: 'critical', silent: false })]);
    expect(after.pager.observe({ condition: 'vault-sealed', active: false })).toBe('resolved');
    expect(after.repo.outbox().map((r) => r.action)).toEqual(['resolve', 'trigger']);
  });

  it('a silent condition (break-glass with sealed-by-console=none) is tracked but pages no one', () => {
    const { repo, pager } = pagerOn(openDatabase(':memory:'));
    expect(pager.observe({ ...sealed, severity: 'info', silent: true })).toBe('opened');
    expect(pager.isOpen('vault-sealed')).toBe(true);
    expect(pager.observe({ condition: 'vault-sealed', active: false })).toBe('resolved');
    expect(repo.outbox()).toHaveLength(0);
  });

  it('each condition has its own dedup_key', () => {
    const { repo, pager } = pagerOn(openDatabase(':memory:'));
    pager.observe(sealed);
    pager.observe({ condition: 'backup-stale', active: true, severity: 'error', summary: 'old', view: 'backups' });
    expect(new Set(repo.outbox().map((r) => r.dedupKey)).size).toBe(2);
  });

  it('console links and cluster keys', () => {
    expect(consoleLink('https://ops.example.com/console?x=1', 'audit', 'https://v:8200')).toBe('https://ops.example.com/console?x=1&view=audit&cluster=https%3A%2F%2Fv%3A8200');
    expect(clusterKeyOf('https://vault.example.com:8200')).toBe('vault.example.com:8200');
    expect(clusterKeyOf('http://127.0.0.1:8200', 'a b')).toBe('127.0.0.1:8200/ab');
  });
});
