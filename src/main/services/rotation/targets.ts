// Which secrets a bulk job touches. Two sources behind one interface: the inventory's
// local index (fast; as fresh as its last sync) and a scan of Vault metadata (LIST +
// metadata reads; authoritative). Either way the job re-checks every secret in Vault
// at the moment it rotates it.
import type { BulkSelection } from '../../../shared/contracts/rotation';
import { TenantSearchInputSchema } from '../../../shared/contracts/inventory';
import { isOverdue, targetOfPath, type RotatableType } from '../../../shared/rotation/rules';
import type { InventoryRepo } from '../storage/inventory-repo';
import type { RotationVaultIo } from './vault-io';

export interface Target {
  tenantId: string;
  path: string;
  type: RotatableType;
  /**
   * The version seen when planning (0 = not read). A "rotate all" job may write SMTP
   * with check-and-set on it without reading first (see RotationService.processItem).
   */
  baseVersion: number;
}

/** What a job selects: a bulk selection, or every secret of some types (reschedule). */
export type TargetQuery = BulkSelection | { mode: 'types'; types: RotatableType[] };

export interface TargetSource {
  readonly name: 'index' | 'vault';
  select(q: TargetQuery, nowMs: number, signal?: AbortSignal): Promise<Target[]>;
}

const ALL_TYPES: RotatableType[] = ['ssh', 'smtp', 'dkim', 'api'];

function typesOf(q: TargetQuery): RotatableType[] {
  if (q.mode === 'all') return [q.type];
  return q.types && q.types.length > 0 ? q.types : ALL_TYPES;
}

const FOLDER: Record<RotatableType, string> = { ssh: 'ssh', smtp: 'smtp', dkim: 'dkim', api: 'api' };

async function pool<T>(items: readonly T[], concurrency: number, signal: AbortSignal | undefined, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      await fn(items[next++]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}

export class VaultTargetSource implements TargetSource {
  readonly name = 'vault' as const;
  constructor(
    private readonly io: RotationVaultIo,
    private readonly concurrency = 16,
  ) {}

  async tenants(): Promise<string[]> {
    // Folders only; "_"-prefixed entries are the console's own (schedules), never tenants.
    return (await this.io.list('')).filter((k) => k.endsWith('/') && !k.startsWith('_')).map((k) => k.slice(0, -1)).sort();
  }

  async select(q: TargetQuery, nowMs: number, signal?: AbortSignal): Promise<Target[]> {
    const types = typesOf(q);
    const out: Target[] = [];
    await pool(await this.tenants(), this.concurrency, signal, async (tenantId) => {
      for (const type of types) {
        const folder = `${tenantId}/${FOLDER[type]}`;
        // One request per folder with every leaf's metadata where the server offers it.
        const detailed = await this.io.listDetailed(folder);
        const leaves = detailed ?? (await this.io.list(folder)).map((key) => ({ key, currentVersion: 0, customMetadata: null }));
        for (const leaf of leaves) {
          if (leaf.key.endsWith('/')) continue;
          const path = `${folder}/${leaf.key}`;
          const t = targetOfPath(path);
          if (!t || t.type !== type) continue;
          if (q.mode === 'all') {
            // "Rotate all" needs no metadata to choose. The version seen here lets the job write
            // without reading first (check-and-set on it); only for a secret with the layout's
            // metadata, so the job never has to invent any (0 = read first).
            out.push({ tenantId, path, type, baseVersion: leaf.customMetadata?.schema ? leaf.currentVersion : 0 });
            continue;
          }
          const md = detailed ? { currentVersion: leaf.currentVersion, customMetadata: leaf.customMetadata ?? {} } : await this.io.metadata(path);
          if (!md) continue;
          if (q.mode === 'overdue' && !isOverdue(md.customMetadata, nowMs)) continue;
          out.push({ tenantId, path, type, baseVersion: md.currentVersion });
        }
      }
    });
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}

export class IndexTargetSource implements TargetSource {
  readonly name = 'index' as const;
  constructor(private readonly repo: InventoryRepo) {}

  async select(q: TargetQuery, nowMs: number): Promise<Target[]> {
    const types = typesOf(q);
    const out: Target[] = [];
    const ids: string[] = [];
    for (let offset = 0; ; offset += 1000) {
      const query = TenantSearchInputSchema.parse({
        type: types.length === 1 ? types[0] : 'all',
        ...(q.mode === 'overdue' ? { due: 'overdue' } : {}),
        offset,
        limit: 1000,
      });
      const page = this.repo.search(query, nowMs);
      ids.push(...page.rows.map((r) => r.tenantId));
      if (page.rows.length < 1000) break;
    }
    for (const id of ids) {
      const t = this.repo.tenant(id);
      for (const s of t?.secrets ?? []) {
        const target = targetOfPath(s.path);
        if (!target || !types.includes(target.type)) continue;
        if (q.mode === 'overdue' && !isOverdue(s.metadata, nowMs)) continue;
        out.push({ tenantId: id, path: s.path, type: target.type, baseVersion: s.currentVersion });
      }
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}
