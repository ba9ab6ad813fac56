// Inventory sync against a mount seeded with N tenants, side by side in one run:
//  - "plain script": LIST the mount, then walk each tenant sequentially (LIST its folders,
//    one metadata read per secret): what a shell script around `bao kv metadata get` does;
//  - the console's full sync (bounded concurrency, detailed-metadata scan when allowed),
//    and the same with the plain strategy (what the metadata-only auditor policy allows);
//  - an incremental resync after 1 % of the tenants changed (rotated by "someone else").
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InventoryService } from '../src/main/services/inventory/inventory-service';
import type { ScanStrategy } from '../src/main/services/inventory/metadata-source';
import { openDatabase, type SqlDatabase } from '../src/main/services/storage/database';
import { InventoryRepo } from '../src/main/services/storage/inventory-repo';
import { systemClock } from '../src/main/services/time/clock';
import { createKvStore, encodeKvPath, encodeMount } from '../src/main/services/vault/kv';
import { bumpTenantStamps } from '../src/main/services/vault/tenant-stamps';
import type { VaultClient } from '../src/main/services/vault/vault-client';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

export interface SyncRun {
  label: string;
  durationMs: number;
  requests: number;
  requestsPerSecond: number;
  tenants: number;
  scanned?: number;
  unchanged?: number;
}

/** The naive way: everything sequential, one request at a time. */
export async function plainScript(client: VaultClient, mount: string): Promise<SyncRun> {
  const m = encodeMount(mount);
  let requests = 0;
  const list = async (path: string): Promise<string[]> => {
    requests++;
    const body = await client.request<{ data?: { keys?: string[] } }>('LIST', path ? `${m}/metadata/${encodeKvPath(path)}` : `${m}/metadata`);
    return body.data?.keys ?? [];
  };
  const t = performance.now();
  const tenants = (await list('')).filter((k) => k.endsWith('/')).map((k) => k.slice(0, -1));
  let secrets = 0;
  for (const tenant of tenants) {
    const walk = async (folder: string): Promise<void> => {
      for (const k of await list(folder)) {
        if (k.endsWith('/')) await walk(`${folder}/${k.slice(0, -1)}`);
        else {
          requests++;
          await client.request('GET', `${m}/metadata/${encodeKvPath(`${folder}/${k}`)}`);
          secrets++;
        }
      }
    };
    await walk(tenant);
  }
  const durationMs = performance.now() - t;
  return { label: `plain script (sequential, ${secrets} secrets)`, durationMs, requests, requestsPerSecond: requests / (durationMs / 1000), tenants: tenants.length };
}

export interface IndexHandle {
  service: InventoryService;
  db: SqlDatabase;
  dir: string;
  close(): void;
}

export function openIndex(client: VaultClient, mount: string, strategy: ScanStrategy | 'auto', concurrency: number, dir = mkdtempSync(join(tmpdir(), 'inv-bench-'))): IndexHandle {
  const db = openDatabase(join(dir, 'vault-console.db'));
  const service = new InventoryService({ repo: new InventoryRepo(db), clock: systemClock, client: () => client, mount: () => mount, strategy, concurrency, logger: quiet });
  return { service, db, dir, close: () => db.close() };
}

export async function consoleSync(h: IndexHandle, mode: 'full' | 'incremental', label: string): Promise<SyncRun> {
  const r = await h.service.sync({ mode });
  return { label: `${label} (${r.strategy})`, durationMs: r.durationMs, requests: r.requests, requestsPerSecond: r.requests / (r.durationMs / 1000), tenants: r.total, scanned: r.scanned, unchanged: r.unchanged };
}

/** "Someone else" rotates 1 % of the tenants: new SSH admin metadata, then the change stamps, as documented. */
export async function changeOnePercent(client: VaultClient, mount: string, tenantIds: readonly string[]): Promise<string[]> {
  const kv = createKvStore(client, mount);
  const step = Math.max(1, Math.floor(tenantIds.length / Math.max(1, Math.floor(tenantIds.length / 100))));
  const picked = tenantIds.filter((_, i) => i % step === 0).slice(0, Math.max(1, Math.floor(tenantIds.length / 100)));
  const now = new Date().toISOString();
  for (const id of picked) {
    const md = await kv.readMetadata(`${id}/ssh/admin`);
    if (md) await kv.writeMetadata(`${id}/ssh/admin`, { customMetadata: { ...md.customMetadata, last_rotated: now, rotated_by: 'bench', source: 'console' } });
  }
  // The writers' rule (docs/vault-layout.md): secrets first, then the tenants' change stamps.
  const w = await bumpTenantStamps(client, mount, picked, now);
  if (w.failed.length > 0) throw new Error(`${w.failed.length} change stamps were not written`);
  return picked;
}

export function removeIndex(h: IndexHandle): void {
  h.close();
  rmSync(h.dir, { recursive: true, force: true });
}
