// The outbox's rules, on SQLite with a controllable clock and a scripted sender (the
// HTTP side runs against a real receiver in test/integration/watch): oldest first, a
// resolve never overtakes its trigger, backoff that doubles to a cap, Retry-After obeyed,
// a malformed event dropped without blocking the rest, no key means no attempt.
import { describe, expect, it } from 'vitest';
import { setLogSink } from '../../../../../src/main/services/log/logger';
import { openDatabase } from '../../../../../src/main/services/storage/database';
import { WatchRepo } from '../../../../../src/main/services/storage/watch-repo';
import { ManualClock } from '../../../../../src/main/services/time/clock';
import { PagerOutbox } from '../../../../../src/main/services/watch/outbox';
import type { SendOutcome } from '../../../../../src/main/services/watch/pagerduty';
import { createLogger } from '../../../../../src/main/services/log/logger';

const KEY = 'abcdefabcdefabcdefabcdefabcdef12';

function rig(script: SendOutcome[], key: string | null = KEY) {
  const logs: string[] = [];
  setLogSink((l) => logs.push(l));
  const clock = new ManualClock(Date.UTC(2026, 11, 4));
  const repo = new WatchRepo(openDatabase(':memory:'));
  const sent: { at: number; body: Record<string, unknown> }[] = [];
  let k = key;
  const outbox = new PagerOutbox({
    repo,
    clock,
    log: createLogger('pagerduty'),
    url: 'http://127.0.0.1:1/v2/enqueue',
    routingKey: () => k,
    retryBaseMs: 1_000,
    retryMaxMs: 8_000,
    random: () => 0.5,
    send: async (_url, body) => {
      sent.push({ at: clock.now(), body: JSON.parse(body) as Record<string, unknown> });
      return script.shift() ?? { kind: 'delivered', status: 202 };
    },
  });
  const queue = (action: 'trigger' | 'resolve', key2 = 'k1') => {
    if (action === 'trigger') repo.open({ condition: 'vault-sealed', dedupKey: key2, severity: 'critical', silent: false, summary: 's', openedAt: clock.now() }, { condition: 'vault-sealed', dedupKey: key2, action, eventJson: JSON.stringify({ event_action: action, dedup_key: key2 }) }, clock.now());
    else repo.resolve('vault-sealed', () => ({ condition: 'vault-sealed', dedupKey: key2, action, eventJson: JSON.stringify({ event_action: action, dedup_key: key2 }) }), clock.now());
  };
  const settle = async () => {
    for (let i = 0; i < 5; i++) await outbox.idle();
  };
  const advance = async (ms: number) => {
    clock.advance(ms);
    await settle();
  };
  return { clock, repo, outbox, sent, queue, settle, advance, logs, setKey: (v: string | null) => (k = v) };
}

describe('PagerDuty outbox', () => {
  it('keeps a failing trigger at the head: its resolve waits behind it, then both go in order', async () => {
    const r = rig([{ kind: 'retry', status: 500, afterMs: null, reason: 'HTTP 500' }]);
    r.queue('trigger');
    r.queue('resolve');
    r.outbox.start();
    await r.settle();
    expect(r.sent.map((s) => s.body.event_action)).toEqual(['trigger']);
    await r.advance(999);
    expect(r.sent).toHaveLength(1);
    await r.advance(1);
    expect(r.sent.map((s) => s.body.event_action)).toEqual(['trigger', 'trigger', 'resolve']);
    expect(r.repo.pendingCount()).toBe(0);
    expect(r.outbox.stats).toMatchObject({ delivered: 2, retried: 1, dropped: 0 });
  });

  it('backs off 1, 2, 4, 8, 8 s (doubling to the cap) without a Retry-After', async () => {
    const fail: SendOutcome = { kind: 'retry', status: null, afterMs: null, reason: 'no answer (ECONNREFUSED)' };
    const r = rig([fail, fail, fail, fail, fail]);
    r.queue('trigger');
    r.outbox.start();
    await r.settle();
    for (let i = 0; i < 300; i++) await r.advance(100);
    const gaps = r.sent.slice(1).map((s, i) => s.at - r.sent[i]!.at);
    expect(gaps).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    expect(r.repo.outbox()[0]).toMatchObject({ state: 'delivered', attempts: 6 });
  });

  it('waits exactly as long as Retry-After says', async () => {
    const r = rig([{ kind: 'retry', status: 429, afterMs: 30_000, reason: 'HTTP 429' }]);
    r.queue('trigger');
    r.outbox.start();
    await r.settle();
    await r.advance(29_999);
    expect(r.sent).toHaveLength(1);
    await r.advance(1);
    expect(r.sent).toHaveLength(2);
    expect(r.repo.pendingCount()).toBe(0);
  });

  it('drops an event the receiver calls malformed (400) and goes on with the next', async () => {
    const r = rig([{ kind: 'drop', status: 400, reason: 'HTTP 400: Event object is invalid' }]);
    r.queue('trigger', 'a');
    r.queue('resolve', 'a');
    r.outbox.start();
    await r.settle();
    expect(r.sent).toHaveLength(2);
    expect(r.repo.outbox().map((o) => o.state)).toEqual(['delivered', 'dropped']);
  });

  it('without a routing key nothing is sent and no attempt is spent; the key arriving later delivers', async () => {
    const r = rig([], null);
    r.queue('trigger');
    r.outbox.start();
    await r.advance(20_000);
    expect(r.sent).toHaveLength(0);
    expect(r.repo.head()!.attempts).toBe(0);
    r.setKey(KEY);
    await r.advance(5_000);
    expect(r.sent).toHaveLength(1);
    expect(r.sent[0]!.body.routing_key).toBe(KEY);
  });

  it('never stores or logs the routing key, even when the receiver echoes it back', async () => {
    const r = rig([{ kind: 'retry', status: 500, afterMs: null, reason: `HTTP 500: bad key ${KEY}` }, { kind: 'drop', status: 400, reason: `HTTP 400: ${KEY} invalid` }]);
    r.queue('trigger');
    r.outbox.start();
    await r.settle();
    await r.advance(2_000);
    const stored = JSON.stringify(r.repo.outbox());
    expect(stored).not.toContain(KEY);
    expect(stored).toContain('[redacted]');
    expect(r.logs.join('\n')).not.toContain(KEY);
    expect(r.outbox.stats.lastError).not.toContain(KEY);
  });
});
