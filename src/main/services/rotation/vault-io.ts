// The few KV v2 calls rotation makes, with per-request headers (the console's audited
// action header) and PATCH for custom_metadata, which VaultClient.request lacks.
// Errors are AppErrors from mapVaultError; messages name the path, never a value.
import { AppError } from '../../../shared/errors';
import { encodeKvPath, encodeMount } from '../vault/kv';
import { mapVaultError, type VaultClient } from '../vault/vault-client';

export interface CurrentSecret {
  version: number;
  data: Record<string, unknown>;
  customMetadata: Record<string, string>;
}

export class RotationVaultIo {
  private readonly m: string;
  constructor(
    readonly client: VaultClient,
    readonly mount: string,
  ) {
    this.m = encodeMount(mount);
  }

  private async call<T>(method: 'GET' | 'POST' | 'PATCH' | 'LIST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const clean = path.replace(/^\/+/, '');
    const isList = method === 'LIST';
    try {
      return (await this.client.raw.request({
        path: `/${clean}${isList ? '?list=true' : ''}`,
        method: isList ? 'GET' : method,
        ...(body !== undefined ? { json: body } : {}),
        headers: { ...(method === 'PATCH' ? { 'Content-Type': 'application/merge-patch+json' } : {}), ...headers },
        timeout: this.client.connection.timeoutMs,
      })) as T;
    } catch (err) {
      throw mapVaultError(err, `${method} ${clean.split('?')[0]}`);
    }
  }

  /** Latest version with its data and the path's custom_metadata; null when absent or deleted. */
  async current(path: string): Promise<CurrentSecret | null> {
    let body: { data?: { data?: Record<string, unknown> | null; metadata?: { version?: number; custom_metadata?: Record<string, string> | null } } };
    try {
      body = await this.call('GET', `${this.m}/data/${encodeKvPath(path)}`);
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return null;
      throw err;
    }
    const d = body?.data;
    if (!d?.data) return null;
    return { version: d.metadata?.version ?? 0, data: d.data, customMetadata: d.metadata?.custom_metadata ?? {} };
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
