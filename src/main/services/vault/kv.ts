// KV v2 operations over VaultClient.request. Paths are relative to the mount
// ("t-000042/dkim/mail.example.com"); each segment is URL-encoded here so a
// tenant name or domain can never smuggle "..", "?" or "#" into the URL.
// Errors are AppErrors from mapVaultError; messages name the path, never a value.
import { AppError } from '../../../shared/errors';
import type { VaultClient } from './vault-client';

export type CustomMetadata = Record<string, string>;

export interface KvVersionInfo {
  version: number;
  createdTime: string;
  deletionTime: string;
  destroyed: boolean;
}

export interface KvSecret<T> extends KvVersionInfo {
  data: T;
  customMetadata: CustomMetadata;
}

export interface KvMetadata {
  currentVersion: number;
  oldestVersion: number;
  createdTime: string;
  updatedTime: string;
  maxVersions: number;
  casRequired: boolean;
  deleteVersionAfter: string;
  customMetadata: CustomMetadata;
  versions: Record<string, KvVersionInfo>;
}

export interface KvMetadataInput {
  customMetadata?: CustomMetadata;
  maxVersions?: number;
  casRequired?: boolean;
  deleteVersionAfter?: string;
}

export interface KvStore {
  readonly mount: string;
  /** Latest (or given) version; null when the path does not exist or that version is deleted. */
  read<T = Record<string, unknown>>(path: string, version?: number): Promise<KvSecret<T> | null>;
  /** cas 0 = create only; cas n = only if the current version is n. CONFLICT otherwise. */
  write(path: string, data: Record<string, unknown>, opts?: { cas?: number }): Promise<KvVersionInfo>;
  /** null when there is no metadata at the path. */
  readMetadata(path: string): Promise<KvMetadata | null>;
  /** Replaces custom_metadata as a whole (KV v2 POST semantics). */
  writeMetadata(path: string, input: KvMetadataInput): Promise<void>;
  /** Keys under a folder; folders end in "/". A missing folder lists as empty. */
  list(path?: string): Promise<string[]>;
  /** Deletes every version and the metadata of a path. */
  deleteMetadata(path: string): Promise<void>;
}

/** Encodes each segment of a relative path; rejects empty, "." and ".." segments. */
export function encodeKvPath(path: string, { allowEmpty = false } = {}): string {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') {
    if (allowEmpty) return '';
    throw new AppError('BAD_INPUT', 'KV path is empty');
  }
  return trimmed
    .split('/')
    .map((seg) => {
      if (seg === '' || seg === '.' || seg === '..') throw new AppError('BAD_INPUT', `KV path has an invalid segment: ${JSON.stringify(path.slice(0, 200))}`);
      return encodeURIComponent(seg);
    })
    .join('/');
}

export function encodeMount(mount: string): string {
  return encodeKvPath(mount);
}

interface RawVersionMeta {
  version?: number;
  created_time?: string;
  deletion_time?: string;
  destroyed?: boolean;
  custom_metadata?: CustomMetadata | null;
}

function versionInfo(m: RawVersionMeta | undefined): KvVersionInfo {
  return {
    version: m?.version ?? 0,
    createdTime: m?.created_time ?? '',
    deletionTime: m?.deletion_time ?? '',
    destroyed: Boolean(m?.destroyed),
  };
}

async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof AppError && err.code === 'NOT_FOUND') return null;
    throw err;
  }
}

export function createKvStore(client: VaultClient, mount: string): KvStore {
  const m = encodeMount(mount);
  const dataUrl = (path: string) => `${m}/data/${encodeKvPath(path)}`;
  const metaUrl = (path: string, allowEmpty = false) => {
    const p = encodeKvPath(path, { allowEmpty });
    return p ? `${m}/metadata/${p}` : `${m}/metadata`;
  };

  return {
    mount,
    async read<T>(path: string, version?: number) {
      if (version !== undefined && (!Number.isInteger(version) || version < 0)) throw new AppError('BAD_INPUT', 'KV version must be a non-negative integer');
      const q = version ? `?version=${version}` : '';
      const body = await orNull(client.request<{ data?: { data?: T | null; metadata?: RawVersionMeta } }>('GET', `${dataUrl(path)}${q}`));
      const d = body?.data;
      if (!d || d.data === null || d.data === undefined) return null;
      return { ...versionInfo(d.metadata), data: d.data, customMetadata: d.metadata?.custom_metadata ?? {} };
    },
    async write(path, data, opts = {}) {
      const body: { data: Record<string, unknown>; options?: { cas: number } } = { data };
      if (opts.cas !== undefined) body.options = { cas: opts.cas };
      // A cas mismatch arrives as CONFLICT from mapVaultError.
      const res = await client.request<{ data?: RawVersionMeta }>('POST', dataUrl(path), body);
      return versionInfo(res?.data);
    },
    async readMetadata(path) {
      const body = await orNull(
        client.request<{
          data?: {
            current_version?: number;
            oldest_version?: number;
            created_time?: string;
            updated_time?: string;
            max_versions?: number;
            cas_required?: boolean;
            delete_version_after?: string;
            custom_metadata?: CustomMetadata | null;
            versions?: Record<string, RawVersionMeta>;
          };
        }>('GET', metaUrl(path)),
      );
      const d = body?.data;
      if (!d) return null;
      const versions: Record<string, KvVersionInfo> = {};
      for (const [v, info] of Object.entries(d.versions ?? {})) versions[v] = { ...versionInfo(info), version: Number(v) };
      return {
        currentVersion: d.current_version ?? 0,
        oldestVersion: d.oldest_version ?? 0,
        createdTime: d.created_time ?? '',
        updatedTime: d.updated_time ?? '',
        maxVersions: d.max_versions ?? 0,
        casRequired: Boolean(d.cas_required),
        deleteVersionAfter: d.delete_version_after ?? '',
        customMetadata: d.custom_metadata ?? {},
        versions,
      };
    },
    async writeMetadata(path, input) {
      const body: Record<string, unknown> = {};
      if (input.customMetadata !== undefined) body.custom_metadata = input.customMetadata;
      if (input.maxVersions !== undefined) body.max_versions = input.maxVersions;
      if (input.casRequired !== undefined) body.cas_required = input.casRequired;
      if (input.deleteVersionAfter !== undefined) body.delete_version_after = input.deleteVersionAfter;
      await client.request('POST', metaUrl(path), body);
    },
    async list(path = '') {
      const body = await orNull(client.request<{ data?: { keys?: string[] } }>('LIST', metaUrl(path, true)));
      return body?.data?.keys ?? [];
    },
    async deleteMetadata(path) {
      await client.request('DELETE', metaUrl(path));
    },
  };
}

/**
 * Enables a KV v2 engine at mount and waits until it answers: a new KV v2 mount says
 * "Upgrading from non-versioned…" (400) for a moment before it serves requests.
 */
export async function createKvV2Mount(client: VaultClient, mount: string, description = 'Vault Console tenants'): Promise<void> {
  await client.request('POST', `sys/mounts/${encodeMount(mount)}`, { type: 'kv', options: { version: '2' }, description });
  for (let i = 0; ; i++) {
    try {
      await client.request('LIST', `${encodeMount(mount)}/metadata`);
      return;
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return;
      if (i >= 50 || !(err instanceof AppError) || !/upgrading/i.test(err.message)) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * A path's change stamp as the inventory sync compares it: `updated_time|current_version|
 * current_metadata_version`, which moves on every data and metadata write.
 */
export function stampOfMetadata(meta: { updated_time?: unknown; current_version?: unknown; current_metadata_version?: unknown } | null | undefined): string {
  if (!meta) return '';
  return `${String(meta.updated_time ?? '')}|${String(meta.current_version ?? 0)}|${String(meta.current_metadata_version ?? 0)}`;
}
