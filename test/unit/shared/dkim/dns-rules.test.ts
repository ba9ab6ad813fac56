// The switch-over rules: how resolvers sum up (a silent resolver is never "published"),
// when "first seen" starts and resets, and when the previous selector may be retired.
import { describe, expect, it } from 'vitest';
import { decideRetirement, nextFirstSeen, summarize, waitingText } from '../../../../src/shared/dkim/dns-rules';

const H = 3_600_000;
const T0 = Date.parse('2026-12-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('DKIM DNS rules', () => {
  it('sums resolvers up: any mismatch, then any missing, then any silence; published only when all agree', () => {
    expect(summarize(['published', 'published'])).toBe('published');
    expect(summarize(['published', 'no-answer'])).toBe('unverified');
    expect(summarize(['no-answer', 'missing'])).toBe('missing');
    expect(summarize(['missing', 'mismatch', 'published'])).toBe('mismatch');
    expect(summarize([])).toBe('unverified');
  });

  it('first seen starts when published, survives silence, resets on negative evidence or a new selector', () => {
    const prev = { selector: 's1', firstSeen: iso(T0) };
    expect(nextFirstSeen({ selector: null, firstSeen: null }, 's1', 'published', iso(T0 + H))).toBe(iso(T0 + H));
    expect(nextFirstSeen(prev, 's1', 'published', iso(T0 + H))).toBe(iso(T0));
    expect(nextFirstSeen(prev, 's1', 'unverified', iso(T0 + H))).toBe(iso(T0));
    expect(nextFirstSeen(prev, 's1', 'missing', iso(T0 + H))).toBeNull();
    expect(nextFirstSeen(prev, 's1', 'mismatch', iso(T0 + H))).toBeNull();
    expect(nextFirstSeen(prev, 's2', 'published', iso(T0 + H))).toBe(iso(T0 + H));
    expect(nextFirstSeen({ selector: 's1', firstSeen: 'garbage' }, 's1', 'published', iso(T0 + H))).toBe(iso(T0 + H));
  });

  it('retires only after the grace AND the hold after first seen on every resolver', () => {
    const base = { graceUntil: iso(T0 + 48 * H), holdMs: 48 * H };
    expect(decideRetirement({ ...base, state: 'published', firstSeen: iso(T0), nowMs: T0 + 47 * H }).retire).toBe(false);
    expect(decideRetirement({ ...base, state: 'published', firstSeen: iso(T0), nowMs: T0 + 48 * H })).toMatchObject({ retire: true, retireAfter: iso(T0 + 48 * H) });
    // Seen late: the hold counts from first seen, past the grace end.
    const late = decideRetirement({ ...base, state: 'published', firstSeen: iso(T0 + 30 * H), nowMs: T0 + 60 * H });
    expect(late).toMatchObject({ retire: false, retireAfter: iso(T0 + 78 * H) });
    expect(late.reason).toMatch(/hold of 48 h ends/);
    expect(decideRetirement({ ...base, state: 'published', firstSeen: iso(T0 + 30 * H), nowMs: T0 + 78 * H }).retire).toBe(true);
    for (const state of ['missing', 'mismatch', 'unverified', 'unchecked'] as const) {
      expect(decideRetirement({ ...base, state, firstSeen: iso(T0), nowMs: T0 + 500 * H }).retire).toBe(false);
    }
    expect(decideRetirement({ ...base, state: 'published', firstSeen: null, nowMs: T0 + 500 * H }).reason).toMatch(/not been seen published/);
  });

  it('says how long it has been waiting and how long at least remains', () => {
    expect(waitingText({ since: iso(T0), retireAfter: iso(T0 + 48 * H) }, T0 + 5 * H)).toBe('waiting for DNS for 5 h; retires at the earliest in 43 h');
    expect(waitingText({ since: iso(T0), retireAfter: null }, T0 + 72 * H)).toMatch(/^waiting for DNS for 3 days; retires once/);
  });
});
