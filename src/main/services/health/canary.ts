// Storage health for backends without autopilot (PostgreSQL, file, ...): write a
// small value, read it back, compare, and time the round trip.
//
// Path: cubbyhole/vault-console/health-canary. Cubbyhole is mounted in every Vault,
// every token may write its own cubbyhole under the default policy (no extra grant,
// no tenant KV path written), it is private to the token, and Vault deletes it when
// the token is revoked, so a canary never outlives the session. Its writes still go
// through the barrier to the storage backend, which is what we want to exercise.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { AppError } from '../../../shared/errors';
import type { VaultClient } from '../vault/vault-client';

export const CANARY_PATH = 'cubbyhole/vault-console/health-canary';

export interface CanaryResult {
  latencyMs: number;
}

export async function storageCanary(client: VaultClient, now: () => number): Promise<CanaryResult> {
  // A fresh nonce each time, so a stale read can never pass for a working write.
  const nonce = randomBytes(12).toString('hex');
  const t0 = performance.now();
  await client.request('PUT', CANARY_PATH, { nonce, written_at: new Date(now()).toISOString() });
  const back = await client.request<{ data?: { nonce?: string } }>('GET', CANARY_PATH);
  const latencyMs = performance.now() - t0;
  if (back.data?.nonce !== nonce) {
    throw new AppError('VAULT_ERROR', 'Storage canary read back a different value than it wrote.');
  }
  return { latencyMs: Math.round(latencyMs * 10) / 10 };
}
