// KV v2 read and write latency through the console's own client (node-vault over
// a keep-alive agent), one operation at a time, so the numbers are per-request
// latency rather than throughput under load.
import { createKvStore } from '../src/main/services/vault/kv';
import type { VaultClient } from '../src/main/services/vault/vault-client';
import { summarize, timeSequential, type LatencyStats } from './lib/stats';

export interface KvLatencyResult {
  ops: number;
  payloadBytes: number;
  write: LatencyStats;
  read: LatencyStats;
  metadataRead: LatencyStats;
}

export async function benchKvLatency(client: VaultClient, mount: string, ops: number): Promise<KvLatencyResult> {
  const kv = createKvStore(client, mount);
  // About the size of an SMTP credential record.
  const payload = { username: 'admin@bench.example.com', password: 'x'.repeat(32), webmail_url: 'https://mail.bench.example.com' };
  const keys = 200; // spread over distinct paths, like a real inventory
  const path = (i: number) => `bench-kv/t-${String(i % keys).padStart(6, '0')}/smtp/admin`;
  // Warm the connection pool and the server's caches, not measured.
  for (let i = 0; i < 20; i++) await kv.write(path(i), payload);
  const w = await timeSequential(ops, (i) => kv.write(path(i), payload));
  const r = await timeSequential(ops, (i) => kv.read(path(i)));
  const m = await timeSequential(ops, (i) => kv.readMetadata(path(i)));
  return {
    ops,
    payloadBytes: JSON.stringify(payload).length,
    write: summarize(w.samples, w.wallMs),
    read: summarize(r.samples, r.wallMs),
    metadataRead: summarize(m.samples, m.wallMs),
  };
}
