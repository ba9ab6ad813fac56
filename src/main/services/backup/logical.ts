// Logical backup of a KV v2 mount, for storage that has no raft snapshot (for
// example PostgreSQL HA): one JSON line per secret with its latest data and its
// metadata settings. Produced and consumed as streams so 10,000 tenants never sit
// in memory at once. Restore writes new versions: nothing is deleted or destroyed.
import { Readable } from 'node:stream';
import { AppError } from '../../../shared/errors';
import { createLogger } from '../log/logger';
import { createKvStore, type KvStore } from '../vault/kv';
import { bumpTenantStamps } from '../vault/tenant-stamps';
import type { VaultClient } from '../vault/vault-client';

const log = createLogger('backup');

export interface LogicalRecord {
  path: string;
  version: number;
  data: Record<string, unknown>;
  customMetadata: Record<string, string>;
  maxVersions: number;
  casRequired: boolean;
  deleteVersionAfter: string;
}

const TENANT_RE = /^[A-Za-z0-9._-]{1,128}$/;
// Tenant folders read at once (export) and secrets written at once (restore).
const CONCURRENCY = 16;
const WRITE_CONCURRENCY = 32;

export function checkTenantId(tenantId: string): void {
  if (!TENANT_RE.test(tenantId) || tenantId === '.' || tenantId === '..') throw new AppError('BAD_INPUT', 'tenant id must be 1-128 letters, digits, dots, dashes or underscores');
}

async function listTree(kv: KvStore, folder: string): Promise<string[]> {
  const out: string[] = [];
  for (const key of await kv.list(folder)) {
    const p = `${folder}${key}`;
    if (key.endsWith('/')) out.push(...(await listTree(kv, p)));
    else out.push(p);
  }
  return out;
}

async function readRecord(kv: KvStore, path: string): Promise<LogicalRecord | null> {
  const [secret, meta] = await Promise.all([kv.read(path), kv.readMetadata(path)]);
  // A secret whose latest version is deleted has nothing to back up at that path.
  if (!secret || !meta) return null;
  return {
    path,
    version: secret.version,
    data: secret.data,
    customMetadata: meta.customMetadata,
    maxVersions: meta.maxVersions,
    casRequired: meta.casRequired,
    deleteVersionAfter: meta.deleteVersionAfter,
  };
}

/**
 * The mount as JSON lines, tenant folder by tenant folder, with a bounded number
 * of reads in flight. onItem counts secrets for progress and the catalog.
 */
export function exportMount(client: VaultClient, mount: string, onItem?: () => void): Readable {
  const kv = createKvStore(client, mount);
  async function* lines(): AsyncGenerator<Buffer> {
    const top = await kv.list('');
    for (let i = 0; i < top.length; i += CONCURRENCY) {
      const batch = top.slice(i, i + CONCURRENCY);
      const groups = await Promise.all(
        batch.map(async (key) => {
          const paths = key.endsWith('/') ? await listTree(kv, key) : [key];
          // A tenant has a handful of secrets: read them at once.
          const recs = await Promise.all(paths.map((p) => readRecord(kv, p)));
          return recs.filter((r): r is LogicalRecord => r !== null);
        }),
      );
      for (const recs of groups) {
        if (recs.length === 0) continue;
        for (const _ of recs) onItem?.();
        yield Buffer.from(recs.map((r) => JSON.stringify(r)).join('\n') + '\n', 'utf8');
      }
    }
  }
  return Readable.from(lines(), { objectMode: false });
}

/** Splits a byte stream into parsed records, validating each one. */
export async function* parseRecords(body: AsyncIterable<Buffer>): AsyncGenerator<LogicalRecord> {
  let rest = '';
  let line = 0;
  const parse = (text: string): LogicalRecord => {
    line++;
    let r: LogicalRecord;
    try {
      r = JSON.parse(text) as LogicalRecord;
    } catch {
      throw new AppError('BAD_INPUT', `logical backup line ${line} is not JSON`);
    }
    if (typeof r?.path !== 'string' || typeof r.data !== 'object' || r.data === null) throw new AppError('BAD_INPUT', `logical backup line ${line} has no path or data`);
    return r;
  };
  for await (const chunk of body) {
    rest += chunk.toString('utf8');
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const text = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      if (text.trim()) yield parse(text);
    }
  }
  if (rest.trim()) yield parse(rest);
}

export interface LogicalRestoreResult {
  written: number;
  skipped: number;
}

/**
 * Writes each record as a new version (no check-and-set: the point is to put the
 * backed-up value back on top) and restores its custom_metadata. With tenantId,
 * only that tenant's folder is touched.
 */
export async function restoreRecords(
  client: VaultClient,
  mount: string,
  records: AsyncIterable<LogicalRecord>,
  opts: { tenantId?: string; onItem?: (path: string) => void } = {},
): Promise<LogicalRestoreResult> {
  if (opts.tenantId !== undefined) checkTenantId(opts.tenantId);
  const kv = createKvStore(client, mount);
  const prefix = opts.tenantId !== undefined ? `${opts.tenantId}/` : null;
  let written = 0;
  let skipped = 0;
  const tenants = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  for await (const r of records) {
    if (failure) break;
    if (prefix && !r.path.startsWith(prefix) && r.path !== opts.tenantId) {
      skipped++;
      continue;
    }
    const p = (async () => {
      const current = await kv.readMetadata(r.path);
      await kv.write(r.path, r.data);
      // Merge, never drop: keep keys added since the backup, restore the backed-up ones.
      await kv.writeMetadata(r.path, { customMetadata: { ...(current?.customMetadata ?? {}), ...r.customMetadata } });
      written++;
      tenants.add(r.path.split('/')[0]!);
      opts.onItem?.(r.path);
    })().catch((err: unknown) => {
      failure ??= err;
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    if (inFlight.size >= WRITE_CONCURRENCY) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  // The writers' rule (docs/vault-layout.md): stamp every tenant written, even after a
  // failure, so every console's next incremental inventory sync rescans them.
  const stamped = await bumpTenantStamps(client, mount, [...tenants], new Date().toISOString());
  if (failure) throw failure;
  if (stamped.failed.length > 0) log.warn(`${stamped.failed.length} tenant change stamp(s) not written after the restore; run a full inventory sync`);
  if (prefix && written === 0) throw new AppError('NOT_FOUND', `tenant ${opts.tenantId} is not in this backup`);
  return { written, skipped };
}
