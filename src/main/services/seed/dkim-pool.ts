// RSA-2048 generation costs ~50-100 ms of CPU per key; 10,000 tenants need
// ~20,000 DKIM keys, i.e. 15-30 CPU-minutes. The seeder therefore generates a
// pool of keys once per run (in parallel on libuv's thread pool, off the event
// loop: crypto.generateKeyPair is asynchronous, so no worker_threads are needed)
// and hands them out round-robin. Seeded tenants may share a DKIM key: acceptable
// for test/demo data, never for production (rotation always makes a fresh key).
// poolSize 0 means a fresh key for every domain.
import { generateDkimKey, type DkimKey } from '../keys/dkim';

export interface DkimSource {
  next(): Promise<DkimKey>;
  readonly generated: number;
}

export function createDkimPool(poolSize: number, parallel = 4): DkimSource {
  let generated = 0;
  const gen = async () => {
    const k = await generateDkimKey();
    generated++;
    return k;
  };
  if (poolSize <= 0) {
    return {
      next: gen,
      get generated() {
        return generated;
      },
    };
  }
  // Filled on first use, so a re-run that skips every tenant generates nothing.
  let filled: Promise<DkimKey[]> | undefined;
  const fill = async () => {
    const keys: DkimKey[] = [];
    let started = 0;
    const lane = async () => {
      while (started < poolSize) {
        started++;
        keys.push(await gen());
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, poolSize)) }, lane));
    return keys;
  };
  let cursor = 0;
  return {
    async next() {
      filled ??= fill();
      const keys = await filled;
      return keys[cursor++ % keys.length]!;
    },
    get generated() {
      return generated;
    },
  };
}
