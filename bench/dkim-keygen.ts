// Why the seeder pools DKIM keys: RSA-2048 generation cost, one at a time on the
// main thread versus in parallel on libuv's thread pool (async generateKeyPair).
import { generateDkimKey, generateDkimKeySync } from '../src/main/services/keys/dkim';
import { summarize, type LatencyStats } from './lib/stats';

export interface DkimBenchResult {
  sync: LatencyStats;
  parallel: { keys: number; inFlight: number; wallMs: number; keysPerSecond: number };
  /** Extrapolated CPU-time to give 20,000 domains (10k tenants × ~2) a unique key. */
  uniqueKeysFor10kTenantsSeconds: number;
}

export async function benchDkimKeygen(n: number, inFlight = 4): Promise<DkimBenchResult> {
  const samples: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    generateDkimKeySync();
    samples.push(performance.now() - t);
  }
  const sync = summarize(samples, performance.now() - t0);
  let started = 0;
  const p0 = performance.now();
  const lane = async () => {
    while (started < n) {
      started++;
      await generateDkimKey();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const wallMs = performance.now() - p0;
  const keysPerSecond = (n * 1000) / wallMs;
  return { sync, parallel: { keys: n, inFlight, wallMs, keysPerSecond }, uniqueKeysFor10kTenantsSeconds: 20_000 / keysPerSecond };
}
