// Which events the window rules (bulk and wide reads) must see, from per-bucket stats.
//
// A rule fires when a window of W ms holds T events (or T distinct values) of one key.
// Aligned buckets of W ms: any window [t, t+W] meets at most two of them, so one of those
// holds at least ceil(T/2) events (distinct values) of the key: a "candidate" bucket.
// Every event of a burst lies in a qualifying window, and every qualifying window lies
// within W of a candidate bucket of its key. So fetching, per key, every event within
// [start - W, end + W] of its candidate buckets gives the detectors complete windows
// wherever a burst can be, and nothing else they would group: they return what a full
// scan would (pure; tested against a full scan in the unit tests).

export interface StatsBucket {
  key: string;
  /** Bucket start (ms), aligned to windowMs. */
  start: number;
  windowMs: number;
}

/** Per key, merged [from, to] time ranges (inclusive ms) clipped to [lo, hi]. */
export function candidateRanges(buckets: readonly StatsBucket[], lo: number, hi: number): { key: string; ranges: [number, number][] }[] {
  const byKey = new Map<string, [number, number][]>();
  for (const b of buckets) {
    const a = Math.max(lo, b.start - b.windowMs);
    const z = Math.min(hi, b.start + 2 * b.windowMs);
    if (a > z) continue;
    let list = byKey.get(b.key);
    if (!list) byKey.set(b.key, (list = []));
    list.push([a, z]);
  }
  const out: { key: string; ranges: [number, number][] }[] = [];
  for (const [key, list] of byKey) {
    list.sort((x, y) => x[0] - y[0]);
    const merged: [number, number][] = [];
    for (const r of list) {
      const last = merged.at(-1);
      if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    out.push({ key, ranges: merged });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
