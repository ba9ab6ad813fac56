// The one-time hand-over of a rotated API key's new key: the window, the copy by main,
// and the wipe on every close (timer, sign-out, replaced, Close), with a manual clock and
// the in-process clipboard. No Vault involved: the key is given to the hand-over.
import { describe, expect, it } from 'vitest';
import type { ApiKeyCloseReason } from '../../../../../src/shared/contracts/rotation';
import { MemoryClipboard, sharedContentProtection } from '../../../../../src/main/services/reveal/clipboard';
import { ApiKeyHandover, API_KEY_WINDOW_MS } from '../../../../../src/main/services/rotation/api-key-handover';
import type { SessionInfo } from '../../../../../src/main/services/session/session-types';
import { ManualClock } from '../../../../../src/main/services/time/clock';

const KEY = 'pm_live_0123456789abcdefghijABCDEFGHIJ0123456789';
const KEY2 = 'pm_live_ZYXWVUTSRQPONMLKJIHGzyxwvutsrqponmlkji9876';

function setup(windowMs?: number) {
  const clock = new ManualClock();
  const clipboard = new MemoryClipboard();
  const closed: Array<{ handoverId: string; reason: ApiKeyCloseReason }> = [];
  const listeners = new Set<(i: SessionInfo) => void>();
  const session = { onChange: (l: (i: SessionInfo) => void) => (listeners.add(l), () => listeners.delete(l)) };
  const lines: string[] = [];
  const rec = (m: string) => void lines.push(m);
  const log = { info: rec, warn: rec, error: rec, debug: rec };
  const h = new ApiKeyHandover({ clock, clipboard, log, onClosed: (e) => closed.push(e), session, ...(windowMs !== undefined ? { windowMs } : {}) });
  const signOut = () => listeners.forEach((l) => l({ signedIn: false } as SessionInfo));
  return { clock, clipboard, closed, h, signOut, lines };
}

describe('new API key hand-over', () => {
  it('shows the key for 15 minutes, then zeroes it, clears the clipboard copy and tells the renderer', () => {
    const { clock, clipboard, closed, h } = setup();
    const v = h.hold('t-000001/api/ak_0123456789', KEY, KEY.slice(0, 12));
    expect(v).toMatchObject({ apiKey: KEY, prefix: 'pm_live_0123', remainingMs: API_KEY_WINDOW_MS, windowSeconds: 900, warnAtMs: 60_000 });
    expect(v.handoverId).toMatch(/^ak-[0-9a-f]{32}$/);
    const buf = h.bufferForTest(v.handoverId)!;
    expect(h.copy(v.handoverId)).toEqual({ copied: true });
    expect(clipboard.readText()).toBe(KEY);
    expect(clipboard.lastWriteMarkedSecret).toBe(true);
    clock.advance(API_KEY_WINDOW_MS - 1);
    expect(h.activeCount).toBe(1);
    clock.advance(1);
    expect(h.activeCount).toBe(0);
    expect(closed).toEqual([{ handoverId: v.handoverId, reason: 'timer' }]);
    expect(clipboard.readText()).toBe('');
    expect(buf.wiped).toBe(true);
    // Gone for good: it cannot be copied or shown again.
    expect(() => h.copy(v.handoverId)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('leaves the clipboard alone when it no longer holds the key', () => {
    const { clipboard, h } = setup();
    const v = h.hold('t-000001/api/ak_0123456789', KEY, 'pm_live_0123');
    h.copy(v.handoverId);
    clipboard.writeText('something the user copied since');
    expect(h.close(v.handoverId)).toEqual({ closed: true });
    expect(clipboard.readText()).toBe('something the user copied since');
    expect(h.close(v.handoverId)).toEqual({ closed: false });
  });

  it('closes on sign-out, on quit, and when another key is shown; a policy can shorten the window', () => {
    const { clock, closed, h, signOut } = setup(30_000);
    const a = h.hold('t-000001/api/ak_0123456789', KEY, 'pm_live_0123');
    const b = h.hold('t-000002/api/ak_9876543210', KEY2, 'pm_live_ZYXW');
    expect(closed).toEqual([{ handoverId: a.handoverId, reason: 'replaced' }]);
    expect(b.remainingMs).toBe(30_000);
    signOut();
    expect(closed.at(-1)).toEqual({ handoverId: b.handoverId, reason: 'sign-out' });
    const c = h.hold('t-000003/api/ak_1111111111', KEY, 'pm_live_0123');
    h.dispose();
    expect(closed.at(-1)).toEqual({ handoverId: c.handoverId, reason: 'quit' });
    clock.advance(60_000);
    expect(closed.length).toBe(3);
  });

  it('never writes the key to the log', () => {
    const { h, lines } = setup();
    const v = h.hold('t-000001/api/ak_0123456789', KEY, 'pm_live_0123');
    h.copy(v.handoverId);
    h.close(v.handoverId);
    expect(lines.join('\n')).not.toContain(KEY);
  });
});

describe('screen-capture protection while a new API key shows', () => {
  it('protects the window while a key is held, and keeps it protected while a reveal still shows', () => {
    const states: boolean[] = [];
    const handle = sharedContentProtection({ setProtected: (on) => void states.push(on) });
    const reveal = handle();
    const clock = new ManualClock();
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
    const h = new ApiKeyHandover({ clock, clipboard: new MemoryClipboard(), log, onClosed: () => undefined, protection: handle(), windowMs: 60_000 });

    const a = h.hold('t-000001/api/ak_0123456789', KEY, KEY.slice(0, 12));
    expect(states).toEqual([true]);
    // A second key replaces the first: still protected, no flicker off and on.
    h.hold('t-000001/api/ak_0123456789', KEY2, KEY2.slice(0, 12));
    expect(states).toEqual([true]);
    expect(h.close(a.handoverId)).toEqual({ closed: false });
    reveal.setProtected(true);
    clock.advance(60_000);
    expect(h.activeCount).toBe(0);
    // The reveal is still on screen: the window stays protected.
    expect(states).toEqual([true]);
    reveal.setProtected(false);
    expect(states).toEqual([true, false]);
  });
});
