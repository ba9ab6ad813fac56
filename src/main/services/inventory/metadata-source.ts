// Reads tenant metadata from KV v2 — LIST and metadata endpoints only, never /data.
// Two strategies, chosen per run:
//  - "detailed": OpenBao's `detailed-metadata/<tenant>/?scan=true` returns every path
//    of a tenant with its full metadata in ONE request (needs list+scan on
//    <mount>/detailed-metadata/*);
//  - "plain": recursive LIST + one metadata GET per path, which the documented auditor
//    policy (read/list on <mount>/metadata/*) allows everywhere.
// Every request goes through a semaphore, so the whole sync has at most `concurrency`
// requests in flight.
import { AppError } from '../../../shared/errors';
import { encodeKvPath, encodeMount, stampOfMetadata } from '../vault/kv';
import { stampsMountOf } from '../vault/tenant-stamps';
import type { VaultClient } from '../vault/vault-client';
import type { RawMetadata } from './normalize';

export type ScanStrategy = 'detailed' | 'plain';

export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly max: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

export class MetadataSource {
  requests = 0;
  private readonly m: string;
  private readonly stampsMount: string;
  private readonly gate: Semaphore;
  strategy: ScanStrategy | null;

  constructor(
    private readonly client: VaultClient,
    mount: string,
    concurrency: number,
    strategy: ScanStrategy | 'auto' = 'auto',
  ) {
    this.m = encodeMount(mount);
    this.stampsMount = encodeMount(stampsMountOf(mount));
    this.gate = new Semaphore(concurrency);
    this.strategy = strategy === 'auto' ? null : strategy;
  }

  private async req<T>(method: 'GET' | 'LIST', url: string): Promise<T | null> {
    return this.gate.run(async () => {
      this.requests++;
      try {
        return await this.client.request<T>(method, url);
      } catch (err) {
        if (err instanceof AppError && err.code === 'NOT_FOUND') return null;
        throw err;
      }
    });
  }

  /** Top-level folders of the mount: the tenant ids. */
  async listTenants(): Promise<string[]> {
    const body = await this.req<{ data?: { keys?: string[] } }>('LIST', `${this.m}/metadata`);
    return (body?.data?.keys ?? []).filter((k) => k.endsWith('/') && k.length > 1).map((k) => k.slice(0, -1));
  }

  /**
   * Every tenant's change stamp from `<mount>-stamps` (docs/vault-layout.md): OpenBao's
   * detailed-metadata LIST, 1,000 leaves per request. null when that cannot be used
   * (no such mount or endpoint, not allowed): the caller reads each profile instead.
   * Stamps are prefixed "m:" so they never equal a profile stamp.
   */
  async listStamps(pageSize: number = 1000): Promise<Map<string, string> | null> {
    const out = new Map<string, string>();
    let after = '';
    for (;;) {
      let body: { data?: { keys?: string[]; key_info?: Record<string, { updated_time?: string; current_version?: number; current_metadata_version?: number }> } } | null;
      try {
        body = await this.req('LIST', `${this.stampsMount}/detailed-metadata?limit=${pageSize}${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      } catch (err) {
        if (err instanceof AppError && ['PERMISSION_DENIED', 'VAULT_ERROR', 'BAD_INPUT'].includes(err.code)) return null;
        throw err;
      }
      const keys = body?.data?.keys ?? [];
      const info = body?.data?.key_info ?? {};
      for (const k of keys) {
        if (k.endsWith('/')) continue;
        const meta = info[k];
        // A LIST without key_info is not the detailed endpoint (HashiCorp Vault): unusable.
        if (!meta) return null;
        out.set(k, `m:${stampOfMetadata(meta)}`);
      }
      if (keys.length < pageSize) return out;
      after = keys[keys.length - 1]!;
    }
  }

  /** One tenant's change stamp (after an action): "m:…" from the stamps mount, else null. */
  async readStamp(tenantId: string): Promise<string | null> {
    try {
      const body = await this.req<{ data?: { updated_time?: string; current_version?: number; current_metadata_version?: number } }>('GET', `${this.stampsMount}/metadata/${encodeKvPath(tenantId)}`);
      return body?.data ? `m:${stampOfMetadata(body.data)}` : null;
    } catch (err) {
      if (err instanceof AppError && err.code === 'PERMISSION_DENIED') return null;
      throw err;
    }
  }

  async readMetadata(rel: string): Promise<RawMetadata | null> {
    const body = await this.req<{ data?: RawMetadata }>('GET', `${this.m}/metadata/${encodeKvPath(rel)}`);
    return body?.data ?? null;
  }

  /**
   * Every path under the tenant (relative to the tenant folder) with its metadata.
   * withProfile=false: the caller read the profile already (it was the tenant's stamp).
   */
  async scanTenant(tenantId: string, withProfile = false): Promise<Map<string, RawMetadata>> {
    if (this.strategy !== 'plain') {
      try {
        const body = await this.req<{ data?: { key_info?: Record<string, RawMetadata> } }>('GET', `${this.m}/detailed-metadata/${encodeKvPath(tenantId)}/?scan=true`);
        // A 404 before the endpoint has ever answered may mean "no such endpoint" (HashiCorp
        // Vault): let the plain walk decide. Once confirmed, 404 means the tenant is gone.
        if (body || this.strategy === 'detailed') {
          this.strategy = 'detailed';
          const out = new Map<string, RawMetadata>();
          for (const [rel, meta] of Object.entries(body?.data?.key_info ?? {})) if (!rel.endsWith('/')) out.set(rel, meta);
          return out;
        }
      } catch (err) {
        // Not allowed (policy without detailed-metadata) or not offered (HashiCorp Vault): fall back for the rest of the run.
        if (this.strategy === 'detailed' || !(err instanceof AppError) || !['PERMISSION_DENIED', 'VAULT_ERROR'].includes(err.code)) throw err;
        this.strategy = 'plain';
      }
    }
    const leaves: string[] = [];
    const walk = async (folder: string): Promise<void> => {
      const body = await this.req<{ data?: { keys?: string[] } }>('LIST', `${this.m}/metadata/${encodeKvPath(folder)}`);
      const keys = body?.data?.keys ?? [];
      await Promise.all(
        keys.map(async (k) => {
          if (k.endsWith('/')) await walk(`${folder}/${k.slice(0, -1)}`);
          else if (withProfile || !(folder === tenantId && k === 'profile')) leaves.push(`${folder}/${k}`);
        }),
      );
    };
    await walk(tenantId);
    if (leaves.length > 0 && this.strategy === null) this.strategy = 'plain';
    const out = new Map<string, RawMetadata>();
    await Promise.all(
      leaves.map(async (full) => {
        const meta = await this.readMetadata(full);
        // Deleted between the LIST and the read: it is simply gone.
        if (meta) out.set(full.slice(tenantId.length + 1), meta);
      }),
    );
    return out;
  }
}
