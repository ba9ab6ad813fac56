// The watcher's periodic tasks never overlap, keep their period after a failure, and
// report a failure that repeats once, not on every run.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../../src/main/services/time/clock';
import { Loop } from '../../../../../src/main/services/watch/loop';

const flush = () => new Promise((r) => setImmediate(r));

describe('watch loop', () => {
  it('runs every interval, keeps going after failures and reports a repeated failure once', async () => {
    const clock = new ManualClock();
    const errors: string[] = [];
    let runs = 0;
    let fail = true;
    const loop = new Loop(clock, () => 1_000, async () => {
      runs++;
      if (fail) throw new Error('Vault is sealed');
    }, (m) => errors.push(m));
    loop.start(0);
    for (let i = 0; i < 5; i++) {
      clock.advance(1_000);
      await flush();
    }
    expect(runs).toBe(5);
    expect(errors).toEqual(['Error: Vault is sealed']);
    fail = false;
    clock.advance(1_000);
    await flush();
    fail = true;
    clock.advance(1_000);
    await flush();
    // A failure after a success is news again.
    expect(errors).toHaveLength(2);
    await loop.stop();
    const after = runs;
    clock.advance(10_000);
    await flush();
    expect(runs).toBe(after);
  });

  it('a run that is still going is joined, never started twice', async () => {
    const clock = new ManualClock();
    let running = 0;
    let max = 0;
    let release: () => void = () => undefined;
    const loop = new Loop(clock, () => 1_000, async () => {
      running++;
      max = Math.max(max, running);
      await new Promise<void>((r) => (release = r));
      running--;
    });
    const a = loop.runNow();
    const b = loop.runNow();
    expect(a).toBe(b);
    release();
    await a;
    expect(max).toBe(1);
    await loop.stop();
  });
});
