import { describe, expect, it } from 'vitest';
import { runPool } from '../../../../../src/main/services/seed/promise-pool';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('runPool', () => {
  it('never runs more than the limit at once and runs every item', async () => {
    let active = 0;
    let peak = 0;
    const done: number[] = [];
    await runPool([...Array(50).keys()], 4, async (i) => {
      active++;
      peak = Math.max(peak, active);
      await tick();
      done.push(i);
      active--;
    });
    expect(peak).toBe(4);
    expect(done.sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
  });

  it('stops scheduling after the first failure and rejects with it', async () => {
    const started: number[] = [];
    await expect(
      runPool([...Array(100).keys()], 2, async (i) => {
        started.push(i);
        await tick();
        if (i === 3) throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(started.length).toBeLessThan(10);
  });

  it('stops on abort', async () => {
    const ac = new AbortController();
    let ran = 0;
    await expect(
      runPool([...Array(100).keys()], 1, async () => {
        ran++;
        if (ran === 5) ac.abort(new Error('cancelled'));
      }, ac.signal),
    ).rejects.toThrow('cancelled');
    expect(ran).toBe(5);
  });
});
