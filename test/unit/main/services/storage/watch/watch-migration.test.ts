// The watch outbox migration on a fresh database, and the repository's rules: one
// transaction opens a condition and queues its trigger; a condition opens once; the
// outbox keeps order; the write lock keeps a second watcher off the same file.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../../../src/main/services/storage/database';
import { currentVersion, MIGRATIONS } from '../../../../../../src/main/services/storage/migrations';
import { WatchRepo } from '../../../../../../src/main/services/storage/watch-repo';

const upTo = MIGRATIONS.findIndex((m) => m.name === 'watch outbox') + 1;

const ev = (action: 'trigger' | 'resolve', key = 'k') => ({ condition: 'vault-sealed', dedupKey: key, action, eventJson: `{"event_action":"${action}"}` });
const row = (over = {}) => ({ condition: 'vault-sealed' as const, dedupKey: 'k', severity: 'critical' as const, silent: false, summary: 'sealed', openedAt: 1, ...over });

describe('watch outbox migration', () => {
  it('the watch outbox migration creates the conditions and outbox tables on a fresh database', () => {
    // Migration 17: it follows main's 16 (audit sources per profile).
    expect(MIGRATIONS[upTo - 1]!.version).toBe(17);
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.slice(0, upTo) });
    expect(currentVersion(db)).toBe(MIGRATIONS[upTo - 1]!.version);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]).sort();
    expect(tables).toEqual(expect.arrayContaining(['watch_conditions', 'watch_outbox']));
    expect(() => db.prepare("INSERT INTO watch_conditions VALUES ('x', 'k', 'fatal', 0, 's', 1)").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO watch_outbox (condition, dedup_key, event_action, event_json, state, next_attempt_at, created_at) VALUES ('c', 'k', 'acknowledge', '{}', 'pending', 0, 0)").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO watch_outbox (condition, dedup_key, event_action, event_json, state, next_attempt_at, created_at) VALUES ('c', 'k', 'trigger', '{}', 'sent-maybe', 0, 0)").run()).toThrow(/CHECK/);
  });

  it('opens a condition once, with its trigger in the same transaction; resolving queues the resolve after it', () => {
    const repo = new WatchRepo(openDatabase(':memory:'));
    expect(repo.open(row(), ev('trigger'), 10)).toBe(true);
    expect(repo.open(row({ summary: 'again' }), ev('trigger'), 11)).toBe(false);
    expect(repo.pendingCount()).toBe(1);
    expect(repo.resolve('vault-sealed', (r) => ev('resolve', r.dedupKey), 12)).toBe(true);
    expect(repo.resolve('vault-sealed', (r) => ev('resolve', r.dedupKey), 13)).toBe(false);
    expect(repo.head()!.action).toBe('trigger');
    repo.markDelivered(repo.head()!.id, 20);
    expect(repo.head()!.action).toBe('resolve');
    expect(repo.pendingCount()).toBe(1);
  });

  it('a silent condition queues nothing, not even its resolve', () => {
    const repo = new WatchRepo(openDatabase(':memory:'));
    expect(repo.open(row({ silent: true }), null, 1)).toBe(true);
    expect(repo.resolve('vault-sealed', (r) => (r.silent ? null : ev('resolve')), 2)).toBe(true);
    expect(repo.pendingCount()).toBe(0);
  });

  it('a failed trigger insert leaves no open condition behind (one transaction)', () => {
    const db = openDatabase(':memory:');
    const repo = new WatchRepo(db);
    expect(() => repo.open(row(), { ...ev('trigger'), action: 'bogus' as 'trigger' }, 1)).toThrow();
    expect(repo.openConditions()).toHaveLength(0);
  });

  it('a second connection cannot take the write lock while a watcher holds it', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'vc-watch-lock-')), 'w.db');
    const first = openDatabase(path);
    new WatchRepo(first).claimExclusive();
    let second: ReturnType<typeof openDatabase> | null = null;
    expect(() => {
      second = openDatabase(path);
      new WatchRepo(second).claimExclusive();
    }).toThrow(/locked|busy/i);
    (second as ReturnType<typeof openDatabase> | null)?.close();
    first.close();
    const third = openDatabase(path);
    expect(() => new WatchRepo(third).claimExclusive()).not.toThrow();
    third.close();
  }, 30_000);
});
