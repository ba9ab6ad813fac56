// The few KV v2 calls rotation makes, with per-request headers (the console's audited
// action header), PATCH for custom_metadata and data, and LIST with detailed metadata.
// They go over kv-http.ts (a lean node:http path; see there why), not node-vault.
// Errors are AppErrors from mapVaultError; messages name the path, never a value.
import { AppError } from '../../../shared/errors';
import { encodeKvPath, encodeMount } from '../vault/kv';
import type { VaultClient } from '../vault/vault-client';
import { kvRequest, type KvMethod } from './kv-http';

export interface CurrentSecret {
  version: number;
  data: Record<string, unknown>;
  customMetadata: Record<string, string>;
  /** When this version was written (KV v2 created_time); "" when Vault did not say. */
  createdTime: string;
}

export class RotationVaultIo {
  private readonly m: string;
  /** Whether the server (and policy) answer detailed-metadata LISTs; null until the first one. */
  private detailedOffered: boolean | null = null;
  constructor(
    readonly client: VaultClient,
    readonly mount: string,
  ) {
    this.m = encodeMount(mount);
  }

  private call<T>(method: KvMethod, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    return kvRequest<T>(this.client, method, path, body, headers);
  }

  /** Latest version with its data and the path's custom_metadata; null when absent or deleted. */
  async current(path: string): Promise<CurrentSecret | null> {
    let body: { data?: { data?: Record<string, unknown> | null; metadata?: { version?: number; created_time?: string; custom_metadata?: Record<string, string> | null } } };
    try {
      body = await this.call('GET', `${this.m}/data/${encodeKvPath(path)}`);
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return null;
      throw err;
    }
    const d = body?.data;
    if (!d?.data) return null;
    return { version: d.metadata?.version ?? 0, data: d.data, customMetadata: d.metadata?.custom_metadata ?? {}, createdTime: d.metadata?.created_time ?? '' };
  }

  async metadata(path: string): Promise<{ currentVersion: number; customMetadata: Record<string, string> } | null> {
    try {
      const body = await this.call<{ data?: { current_version?: number; custom_metadata?: Record<string, string> | null } }>('GET', `${this.m}/metadata/${encodeKvPath(path)}`);
      if (!body?.data) return null;
      return { currentVersion: body.data.current_version ?? 0, customMetadata: body.data.custom_metadata ?? {} };
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return null;
      throw err;
    }
  }

  /** Write with check-and-set; a version mismatch arrives as CONFLICT. */
  async writeCas(path: string, data: Record<string, unknown>, cas: number, headers?: Record<string, string>): Promise<number> {
    const res = await this.call<{ data?: { version?: number } }>('POST', `${this.m}/data/${encodeKvPath(path)}`, { options: { cas }, data }, headers);
    return res?.data?.version ?? cas + 1;
  }

  /**
   * Merge into the data of the version `cas` (KV v2 data PATCH: Vault reads, merges and
   * writes under its own lock); null deletes a key. CONFLICT when `cas` is not current,
   * NOT_FOUND when the secret (or its latest version) is gone.
   */
  async patchDataCas(path: string, patch: Record<string, unknown>, cas: number, headers?: Record<string, string>): Promise<number> {
    const res = await this.call<{ data?: { version?: number } }>('PATCH', `${this.m}/data/${encodeKvPath(path)}`, { options: { cas }, data: patch }, headers);
    return res?.data?.version ?? cas + 1;
  }

  /**
   * The leaves of a folder with their metadata (current version, custom_metadata) in one
   * request: OpenBao's `detailed-metadata` LIST. null where the server does not offer it
   * (HashiCorp Vault) or the policy does not allow it: the caller lists plainly instead.
   */
  async listDetailed(folder: string): Promise<Array<{ key: string; currentVersion: number; customMetadata: Record<string, string> | null }> | null> {
    type Info = { current_version?: number; custom_metadata?: Record<string, string> | null };
    if (this.detailedOffered === false) return null;
    let body: { data?: { keys?: string[]; key_info?: Record<string, Info> } };
    try {
      body = await this.call('LIST', `${this.m}/detailed-metadata/${encodeKvPath(folder)}`);
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') {
        if (this.detailedOffered) return [];
        // A missing folder and a server without the endpoint both answer 404: tell them apart with a plain LIST.
        if ((await this.list(folder)).length === 0) return [];
        this.detailedOffered = false;
        return null;
      }
      if (err instanceof AppError && (err.code === 'PERMISSION_DENIED' || err.code === 'VAULT_ERROR')) {
        this.detailedOffered = false;
        return null;
      }
      throw err;
    }
    const keys = body?.data?.keys ?? [];
    const info = body?.data?.key_info;
    if (keys.length > 0 && !info) {
      this.detailedOffered = false;
      return null;
    }
    this.detailedOffered = true;
    return keys.map((key) => ({ key, currentVersion: info?.[key]?.current_version ?? 0, customMetadata: info?.[key]?.custom_metadata ?? null }));
  }

  /** Merge into custom_metadata (KV v2 PATCH): null deletes a key; other keys are kept as they are. */
  async patchMetadata(path: string, patch: Record<string, string | null>, headers?: Record<string, string>): Promise<void> {
    await this.call('PATCH', `${this.m}/metadata/${encodeKvPath(path)}`, { custom_metadata: patch }, headers);
  }

  /** Replaces custom_metadata as a whole (for a path that has none yet). */
  async putMetadata(path: string, md: Record<string, string>, headers?: Record<string, string>): Promise<void> {
    await this.call('POST', `${this.m}/metadata/${encodeKvPath(path)}`, { custom_metadata: md }, headers);
  }

  async list(folder: string): Promise<string[]> {
    const p = encodeKvPath(folder, { allowEmpty: true });
    try {
      const body = await this.call<{ data?: { keys?: string[] } }>('LIST', p ? `${this.m}/metadata/${p}` : `${this.m}/metadata`);
      return body?.data?.keys ?? [];
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return [];
      throw err;
    }
  }

  async sealed(): Promise<boolean> {
    try {
      const s = await this.client.request<{ sealed?: boolean }>('GET', 'sys/seal-status');
      return Boolean(s?.sealed);
    } catch {
      return true;
    }
  }
}
