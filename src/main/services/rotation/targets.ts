// Which secrets a bulk job touches. Two sources behind one interface: the inventory's
// local index (fast; as fresh as its last sync) and a scan of Vault metadata (LIST +
// metadata reads; authoritative). Each target carries the version the preview saw: the
// job rotates a secret only while that version is current, so nothing changed after the
// preview is ever rotated (it is reported as "changed since preview" instead).
import type { BulkSelection, TenantFilter } from '../../../shared/contracts/rotation';
import { TenantSearchInputSchema } from '../../../shared/contracts/inventory';
import { isOverdue, matchesFilter, targetOfPath, type RotatableType } from '../../../shared/rotation/rules';
import type { InventoryRepo } from '../storage/inventory-repo';
import type { RotationVaultIo } from './vault-io';

export interface Target {
  tenantId: string;
  path: string;
  type: RotatableType;
  /**
   * The version the preview saw. The job rotates only while it is current; a "rotate all"
   * job writes SMTP with check-and-set on it without reading first (see job-items.ts).
   */
  baseVersion: number;
  /** The preview saw the layout's custom_metadata (schema): the job needs not complete it. */
  hasLayoutMetadata: boolean;
}

/** What a job selects: a bulk selection (but "changed", which lists paths), or every secret of some types (reschedule). */
export type TargetQuery = Exclude<BulkSelection, { mode: 'changed' }> | { mode: 'types'; types: RotatableType[] };

export interface TargetSource {
  readonly name: 'index' | 'vault';
  select(q: TargetQuery, nowMs: number, signal?: AbortSignal): Promise<Target[]>;
}

const ALL_TYPES: RotatableType[] = ['ssh', 'smtp', 'dkim', 'api'];

function typesOf(q: TargetQuery): RotatableType[] {
  if (q.mode === 'all') return [q.type];
  if (q.mode === 'filter') return q.filter.type === 'all' ? ALL_TYPES : [q.filter.type];
  return q.types && q.types.length > 0 ? q.types : ALL_TYPES;
}

/** Whether a secret's metadata keeps it in the selection (overdue, the filter's status and due window). */
function selected(q: TargetQuery, type: RotatableType, md: Record<string, string>, nowMs: number): boolean {
  if (q.mode === 'overdue') return isOverdue(md, nowMs);
  if (q.mode === 'filter') return matchesFilter(q.filter, type, md, nowMs);
  return true;
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
    if (q.mode === 'filter') throw new Error('a tenant-list filter selects from the local index');
    const types = typesOf(q);
    const out: Target[] = [];
    await pool(await this.tenants(), this.concurrency, signal, async (tenantId) => {
      for (const type of types) {
        const folder = `${tenantId}/${FOLDER[type]}`;
        // One request per folder with every leaf's metadata where the server offers it;
        // otherwise a plain LIST and one metadata read per leaf (the preview must see each version).
        const detailed = await this.io.listDetailed(folder);
        const leaves = detailed ?? (await this.io.list(folder)).map((key) => ({ key, currentVersion: 0, customMetadata: null }));
        for (const leaf of leaves) {
          if (leaf.key.endsWith('/')) continue;
          const path = `${folder}/${leaf.key}`;
          const t = targetOfPath(path);
          if (!t || t.type !== type) continue;
          const md = detailed ? { currentVersion: leaf.currentVersion, customMetadata: leaf.customMetadata ?? {} } : await this.io.metadata(path);
          if (!md || md.currentVersion < 1) continue;
          if (!selected(q, type, md.customMetadata, nowMs)) continue;
          out.push({ tenantId, path, type, baseVersion: md.currentVersion, hasLayoutMetadata: Boolean(md.customMetadata.schema) });
        }
      }
    });
    return out.sort(byPath);
  }

  /** These paths as they are now (the "rotate these now" of a job's changed items); gone ones are left out. */
  async paths(paths: readonly string[], signal?: AbortSignal): Promise<Target[]> {
    const out: Target[] = [];
    await pool(paths, this.concurrency, signal, async (path) => {
      const t = targetOfPath(path);
      if (!t) return;
      const md = await this.io.metadata(path);
      if (!md || md.currentVersion < 1) return;
      out.push({ tenantId: path.split('/')[0]!, path, type: t.type, baseVersion: md.currentVersion, hasLayoutMetadata: Boolean(md.customMetadata.schema) });
    });
    return out.sort(byPath);
  }
}

function byPath(a: Target, b: Target): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

export class IndexTargetSource implements TargetSource {
  readonly name = 'index' as const;
  constructor(private readonly repo: InventoryRepo) {}

  async select(q: TargetQuery, nowMs: number): Promise<Target[]> {
    const types = typesOf(q);
    const out: Target[] = [];
    const ids: string[] = [];
    const filter: Partial<TenantFilter> =
      q.mode === 'filter' ? q.filter : { type: types.length === 1 ? types[0] : 'all', ...(q.mode === 'overdue' ? { due: 'overdue' as const } : {}) };
    for (let offset = 0; ; offset += 1000) {
      const page = this.repo.search(TenantSearchInputSchema.parse({ ...filter, offset, limit: 1000 }), nowMs);
      ids.push(...page.rows.map((r) => r.tenantId));
      if (page.rows.length < 1000) break;
    }
    for (const id of ids) {
      const t = this.repo.tenant(id);
      for (const s of t?.secrets ?? []) {
        const target = targetOfPath(s.path);
        if (!target || !types.includes(target.type) || s.currentVersion < 1) continue;
        if (!selected(q, target.type, s.metadata, nowMs)) continue;
        out.push({ tenantId: id, path: s.path, type: target.type, baseVersion: s.currentVersion, hasLayoutMetadata: Boolean(s.metadata.schema) });
      }
    }
    return out.sort(byPath);
  }
}
