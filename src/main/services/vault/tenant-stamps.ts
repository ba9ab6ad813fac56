// Tenant change stamps: how a writer tells every console's inventory sync "this tenant
// changed" (docs/vault-layout.md, "Inventory index").
//
// Each tenant has a metadata-only leaf `<tenantId>` in the companion KV v2 mount
// `<mount>-stamps`. A writer writes the tenant's secrets first, then rewrites that
// leaf's custom_metadata (`changed_at`), which moves its `updated_time` and
// `current_metadata_version`. A sync lists the whole stamps mount with OpenBao's
// `detailed-metadata` LIST (1,000 tenants per request), so learning which of 10,000
// tenants changed costs ~10 requests instead of one per tenant.
//
// Where the stamps mount is missing or not allowed (HashiCorp Vault, an older setup, a
// narrower policy), the writer falls back to the old stamp: `changed_at` on the
// tenant's `profile` metadata, which the sync reads per tenant.
import { AppError } from '../../../shared/errors';
import { encodeKvPath, encodeMount } from './kv';
import type { VaultClient } from './vault-client';

export function stampsMountOf(mount: string): string {
  return `${mount}-stamps`;
}


export interface StampWriteResult {
  /** Tenants whose stamp was written in the stamps mount. */
  stamped: number;
  /** Tenants stamped through the profile fallback (no stamps mount, or not allowed). */
  viaProfile: number;
  /** Tenants whose stamp could not be written at all (next full sync picks them up). */
  failed: string[];
}

function isMissingOrDenied(err: unknown): boolean {
  return err instanceof AppError && (err.code === 'NOT_FOUND' || err.code === 'PERMISSION_DENIED');
}

/**
 * Writes change stamps. Remembers, for its lifetime, whether the stamps mount answered,
 * so a setup without one costs one refused request, not one per tenant.
 */
export class TenantStampWriter {
  private mode: 'stamps' | 'profile' | 'none' | null = null;
  private readonly stamps: string;
  private readonly m: string;

  /** profileFallback=false (the seeder: the profile was just written) skips the fallback. */
  constructor(
    private readonly client: VaultClient,
    mount: string,
    private readonly opts: { profileFallback?: boolean } = {},
  ) {
    this.stamps = encodeMount(stampsMountOf(mount));
    this.m = encodeMount(mount);
  }

  private async one(tenantId: string, at: string, result: StampWriteResult): Promise<void> {
    const rel = encodeKvPath(tenantId);
    if (this.mode !== 'profile' && this.mode !== 'none') {
      try {
        await this.client.request('POST', `${this.stamps}/metadata/${rel}`, { custom_metadata: { changed_at: at } });
        this.mode = 'stamps';
        result.stamped++;
        return;
      } catch (err) {
        // Once the mount has answered, a refusal is a failure of this stamp, not a missing mount.
        if (this.mode === 'stamps' || !isMissingOrDenied(err)) {
          result.failed.push(tenantId);
          return;
        }
        this.mode = this.opts.profileFallback === false ? 'none' : 'profile';
      }
    }
    if (this.mode === 'none') return;
    try {
      await this.client.request('PATCH', `${this.m}/metadata/${rel}/profile`, { custom_metadata: { changed_at: at } });
      result.viaProfile++;
    } catch {
      result.failed.push(tenantId);
    }
  }

  /**
   * Bumps the change stamp of each tenant (bounded concurrency). Never throws for a
   * stamp that cannot be written: the secret write already happened and must not be
   * reported as failed; the caller logs `failed`.
   */
  async bump(tenantIds: readonly string[], at: string, opts: { concurrency?: number; signal?: AbortSignal } = {}): Promise<StampWriteResult> {
    const result: StampWriteResult = { stamped: 0, viaProfile: 0, failed: [] };
    const queue = [...new Set(tenantIds)];
    let next = 0;
    // The first stamp decides the mode before the others run.
    if (this.mode === null && queue.length > 0) await this.one(queue[next++]!, at, result);
    const worker = async () => {
      while (next < queue.length && !opts.signal?.aborted) await this.one(queue[next++]!, at, result);
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 16, queue.length)) }, worker));
    return result;
  }
}

/** One-off bump (single actions, a job's end): see TenantStampWriter.bump. */
export function bumpTenantStamps(
  client: VaultClient,
  mount: string,
  tenantIds: readonly string[],
  at: string,
  opts: { concurrency?: number; signal?: AbortSignal } = {},
): Promise<StampWriteResult> {
  return new TenantStampWriter(client, mount).bump(tenantIds, at, opts);
}
