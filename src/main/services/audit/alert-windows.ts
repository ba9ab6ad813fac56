// Grouping events in time, per key, for the alert rules (pure). Events are oldest first.

function groupBy<T>(events: readonly T[], keyOf: (e: T) => string | null): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const e of events) {
    const k = keyOf(e);
    if (!k) continue;
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(e);
  }
  return out;
}

/** The marked events of one key as bursts: consecutive marked events, a new burst after a gap longer than the window. */
function burstsOfMarked<T extends { ts: number }>(key: string, list: readonly T[], marked: Uint8Array, windowMs: number): { key: string; events: T[] }[] {
  const out: { key: string; events: T[] }[] = [];
  let current: T[] | null = null;
  for (let i = 0; i < list.length; i++) {
    if (!marked[i]) {
      current = null;
      continue;
    }
    if (current && list[i]!.ts - current.at(-1)!.ts > windowMs) current = null;
    if (!current) out.push({ key, events: (current = []) });
    current.push(list[i]!);
  }
  return out;
}

/**
 * Sliding window per key: a burst when `threshold` events fall within `windowMs`.
 * Overlapping qualifying windows of one key merge into one burst (so 50 failures
 * give one alert listing them all, not 46); a gap longer than the window starts a
 * new one.
 */
export function windowed<T extends { ts: number }>(events: readonly T[], keyOf: (e: T) => string | null, windowMs: number, threshold: number): { key: string; events: T[] }[] {
  const out: { key: string; events: T[] }[] = [];
  for (const [key, list] of groupBy(events, keyOf)) {
    const marked = new Uint8Array(list.length);
    let lo = 0;
    let markedUpTo = -1;
    for (let hi = 0; hi < list.length; hi++) {
      while (list[hi]!.ts - list[lo]!.ts > windowMs) lo++;
      if (hi - lo + 1 >= threshold) {
        for (let i = Math.max(lo, markedUpTo + 1); i <= hi; i++) marked[i] = 1;
        markedUpTo = hi;
      }
    }
    out.push(...burstsOfMarked(key, list, marked, windowMs));
  }
  return out;
}

/** Like windowed, but a burst needs `threshold` distinct values of distinctOf within the window. */
export function windowedDistinct<T extends { ts: number }>(events: readonly T[], keyOf: (e: T) => string | null, distinctOf: (e: T) => string, windowMs: number, threshold: number): { key: string; events: T[] }[] {
  const out: { key: string; events: T[] }[] = [];
  for (const [key, list] of groupBy(events, keyOf)) {
    const counts = new Map<string, number>();
    const marked = new Uint8Array(list.length);
    let lo = 0;
    let markedUpTo = -1;
    for (let hi = 0; hi < list.length; hi++) {
      const v = distinctOf(list[hi]!);
      counts.set(v, (counts.get(v) ?? 0) + 1);
      while (list[hi]!.ts - list[lo]!.ts > windowMs) {
        const old = distinctOf(list[lo]!);
        const n = counts.get(old)! - 1;
        if (n === 0) counts.delete(old);
        else counts.set(old, n);
        lo++;
      }
      if (counts.size >= threshold) {
        for (let i = Math.max(lo, markedUpTo + 1); i <= hi; i++) marked[i] = 1;
        markedUpTo = hi;
      }
    }
    out.push(...burstsOfMarked(key, list, marked, windowMs));
  }
  return out;
}

/** Consecutive events of one key less than gapMs apart form one group. */
export function runs<T extends { ts: number }>(events: readonly T[], keyOf: (e: T) => string | null, gapMs: number): { key: string; events: T[] }[] {
  const out: { key: string; events: T[] }[] = [];
  for (const [key, list] of groupBy(events, keyOf)) {
    let current: T[] | null = null;
    for (const e of list) {
      if (!current || e.ts - current.at(-1)!.ts > gapMs) out.push({ key, events: (current = []) });
      current.push(e);
    }
  }
  return out;
}
