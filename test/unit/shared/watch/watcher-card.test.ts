// What the Health view's watcher card says for each state of the heartbeats.
import { describe, expect, it } from 'vitest';
import type { WatcherView, WatchStatus } from '../../../../src/shared/contract';
import { watcherCard } from '../../../../src/shared/watch/watcher-card';

const w = (over: Partial<WatcherView> = {}): WatcherView => ({
  id: 'ops-1',
  host: 'ops-1.example.com',
  version: '0.1.0',
  lastSeenAt: '2026-12-04T10:00:00.000Z',
  ageSeconds: 20,
  startedAt: null,
  pollSeconds: 15,
  openPages: [],
  outboxPending: 0,
  stale: false,
  ...over,
});
const st = (watchers: WatcherView[], over: Partial<WatchStatus> = {}): WatchStatus => ({
  watchers,
  newestSeenAt: watchers[0]?.lastSeenAt ?? null,
  stale: !watchers[0] || watchers[0].stale,
  staleAfterMinutes: 5,
  unavailable: null,
  checkedAt: '2026-12-04T10:00:20.000Z',
  ...over,
});

describe('watcher card', () => {
  it('a watcher seen 20 s ago with nothing open is green and says where it runs', () => {
    expect(watcherCard(st([w()]), null)).toEqual({ tone: 'green', value: 'Running on ops-1.example.com', detail: 'Seen 20 s ago · v0.1.0 · no open pages', unavailable: null });
  });

  it('open pages or undelivered events make it amber and are named', () => {
    const v = watcherCard(st([w({ openPages: [{ condition: 'vault-sealed', severity: 'critical', summary: 's', since: 'x', silent: false }], outboxPending: 2 })]), null);
    expect(v.tone).toBe('amber');
    expect(v.detail).toContain('open: vault-sealed');
    expect(v.detail).toContain('2 page(s) not yet delivered');
  });

  it('none seen for more than 5 minutes warns, naming the last one', () => {
    const v = watcherCard(st([w({ ageSeconds: 420, stale: true })]), null);
    expect(v.tone).toBe('amber');
    expect(v.value).toBe('None seen for 7 min');
    expect(v.detail).toContain('more than 5 minutes (last: ops-1.example.com, 7 min ago)');
  });

  it('never reported warns that nobody is paged', () => {
    const v = watcherCard(st([]), null);
    expect(v).toMatchObject({ tone: 'amber', value: 'No watcher' });
    expect(v.detail).toContain('nobody is paged');
  });

  it('unreadable (signed out, policy) is neutral with the reason, never green', () => {
    expect(watcherCard(st([], { unavailable: 'Sign in to see whether a watcher runs for this cluster.' }), null)).toMatchObject({ tone: 'neutral', unavailable: expect.stringContaining('Sign in') });
    expect(watcherCard(null, 'The watch:status call could not be delivered.')).toMatchObject({ tone: 'neutral', unavailable: expect.stringContaining('could not be delivered') });
  });
});
