// SQL for the inventory index (metadata only; see schema/inventory.ts). Search, filter
// and sort run here with indexes and bound parameters; user text only ever reaches
// SQLite as a parameter, with LIKE wildcards escaped.
import type Database from 'better-sqlite3';
import { MATCHED_LIMIT, type MatchedSecret, type TenantRow, type TenantSearchQuery, type TypeSummary } from '../../../shared/contracts/inventory';
import { bucketByNext, columnHealth, DAY_MS, HEALTH_SEVERITY, type SecretHealth } from '../../../shared/inventory/rotation-status';
import { fold } from '../../../shared/inventory/text-fold';
import { flagMask, type IndexedSecret, type IndexedTenant, type IndexedVersion } from '../inventory/normalize';
import type { SqlDatabase } from './database';
import { searchText } from './schema/inventory';

export interface SyncRunRow {
  id: number;
  mount: string;
  mode: string;
  started_at: string;
  finished_at: string | null;
  outcome: string;
  total: number;
  scanned: number;
  unchanged: number;
  removed: number;
  problems: number;
  requests: number;
  error: string | null;
}

export interface StoredSecret {
  tenantId: string;
  path: string;
  type: string;
  name: string;
  status: string;
  lastRotated: string | null;
  nextRotationMs: number | null;
  currentVersion: number;
  updatedTime: string;
  metadata: Record<string, string>;
  versions: IndexedVersion[];
  problem: string | null;
}

export interface StoredTenant {
  tenantId: string;
  name: string;
  vpsIp: string;
  domains: string[];
  scannedAt: string;
  stamp: string;
  secrets: StoredSecret[];
}

interface TenantDbRow {
  tenant_id: string;
  name: string;
  vps_ip: string;
  ssh_state: string;
  ssh_next: number | null;
  smtp_state: string;
  smtp_next: number | null;
  all_state: string;
  all_next: number | null;
  api_count: number;
  dkim_count: number;
  last_rotation: string | null;
  problems: number;
}

/** Escapes \, % and _ so user text matches literally in LIKE … ESCAPE '\'. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

// Case and accent folding on both sides of a search (shared/inventory/text-fold.ts).
export { fold };


/** An FTS5 phrase matching `text` literally: wrapped in quotes, inner quotes doubled. */
export function ftsPhrase(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

// Status columns sort worst first: expired, unknown, then active by next rotation (overdue,
// due in 7, due in 30, healthy), revoked, none. Static columns, so a page is an index walk.
const SORT_SQL: Record<TenantSearchQuery['sort'], string[]> = {
  tenantId: ['t.tenant_id'],
  name: ['t.name_fold'],
  vpsIp: ['t.vps_ip_sort'],
  ssh: ['t.ssh_rank', 't.ssh_next'],
  smtp: ['t.smtp_rank', 't.smtp_next'],
  apiCount: ['t.api_count'],
  dkimCount: ['t.dkim_count'],
  lastRotation: ['t.last_rotation'],
  actions: ['t.all_rank', 't.all_next'],
};

/** One secret's health from its indexed status and next rotation (the rules of classify()). */
function secretHealth(status: string, next: number | null, nowMs: number): SecretHealth {
  if (status === 'expired' || status === 'revoked' || status === 'unknown') return status;
  return next === null ? 'healthy' : bucketByNext(next, nowMs);
}

export class InventoryRepo {
  private readonly cache = new Map<string, Database.Statement>();

  constructor(private readonly db: SqlDatabase) {}

  private stmt(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  // ---- sync runs --------------------------------------------------------------

  /** Runs left "running" by a process that died are marked interrupted. */
  markInterrupted(nowIso: string): number {
    return this.stmt("UPDATE inventory_sync_runs SET outcome='interrupted', finished_at=@now WHERE outcome='running'").run({ now: nowIso }).changes;
  }

  startRun(mount: string, mode: string, nowIso: string): number {
    return Number(this.stmt("INSERT INTO inventory_sync_runs (mount, mode, started_at, outcome) VALUES (@mount, @mode, @now, 'running')").run({ mount, mode, now: nowIso }).lastInsertRowid);
  }

  progressRun(id: number, c: { total: number; scanned: number; unchanged: number; requests: number }): void {
    this.stmt('UPDATE inventory_sync_runs SET total=@total, scanned=@scanned, unchanged=@unchanged, requests=@requests WHERE id=@id').run({ id, total: c.total, scanned: c.scanned, unchanged: c.unchanged, requests: c.requests });
  }

  finishRun(id: number, outcome: string, nowIso: string, c: { total: number; scanned: number; unchanged: number; removed: number; problems: number; requests: number }, error: string | null = null): void {
    this.stmt(
      'UPDATE inventory_sync_runs SET outcome=@outcome, finished_at=@now, total=@total, scanned=@scanned, unchanged=@unchanged, removed=@removed, problems=@problems, requests=@requests, error=@error WHERE id=@id',
    ).run({ id, outcome, now: nowIso, error, total: c.total, scanned: c.scanned, unchanged: c.unchanged, removed: c.removed, problems: c.problems, requests: c.requests });
  }

  lastRun(): SyncRunRow | undefined {
    return this.stmt('SELECT * FROM inventory_sync_runs ORDER BY id DESC LIMIT 1').get() as SyncRunRow | undefined;
  }

  lastDone(mount: string, mode?: string): SyncRunRow | undefined {
    if (mode) return this.stmt("SELECT * FROM inventory_sync_runs WHERE outcome='done' AND mount=@mount AND mode=@mode ORDER BY id DESC LIMIT 1").get({ mount, mode }) as SyncRunRow | undefined;
    return this.stmt("SELECT * FROM inventory_sync_runs WHERE outcome='done' AND mount=@mount ORDER BY id DESC LIMIT 1").get({ mount }) as SyncRunRow | undefined;
  }

  /** The mount the index was last built from (null when never). */
  indexedMount(): string | null {
    const r = this.stmt('SELECT mount FROM inventory_sync_runs ORDER BY id DESC LIMIT 1').get() as { mount: string } | undefined;
    return r?.mount ?? null;
  }

  // ---- tenants ------------------------------------------------------------------

  stamps(): Map<string, { stamp: string; scannedAt: string }> {
    const rows = this.stmt('SELECT tenant_id, stamp, scanned_at FROM inventory_tenants').all() as Array<{ tenant_id: string; stamp: string; scanned_at: string }>;
    return new Map(rows.map((r) => [r.tenant_id, { stamp: r.stamp, scannedAt: r.scanned_at }]));
  }

  count(): number {
    return (this.stmt('SELECT count(*) AS n FROM inventory_tenants').get() as { n: number }).n;
  }

  /** Replaces a tenant and all its secrets in one transaction: a crash leaves the old or the new, never half. */
  replaceTenant(t: IndexedTenant, secrets: readonly IndexedSecret[], scannedAt: string): void {
    const upsert = this.stmt(`
      INSERT INTO inventory_tenants (tenant_id, id_fold, name, name_fold, vps_ip, vps_ip_sort, domains, api_count, dkim_count, last_rotation,
        ssh_state, ssh_rank, ssh_next, smtp_state, smtp_rank, smtp_next, api_next, dkim_next, all_state, all_rank, all_next, flags, problems, stamp, scanned_at)
      VALUES (@tenant_id, @id_fold, @name, @name_fold, @vps_ip, @vps_ip_sort, @domains, @api_count, @dkim_count, @last_rotation,
        @ssh_state, @ssh_rank, @ssh_next, @smtp_state, @smtp_rank, @smtp_next, @api_next, @dkim_next, @all_state, @all_rank, @all_next, @flags, @problems, @stamp, @scanned_at)
      ON CONFLICT(tenant_id) DO UPDATE SET id_fold=excluded.id_fold, name=excluded.name, name_fold=excluded.name_fold, vps_ip=excluded.vps_ip,
        vps_ip_sort=excluded.vps_ip_sort, domains=excluded.domains, api_count=excluded.api_count, dkim_count=excluded.dkim_count,
        last_rotation=excluded.last_rotation, ssh_state=excluded.ssh_state, ssh_rank=excluded.ssh_rank, ssh_next=excluded.ssh_next,
        smtp_state=excluded.smtp_state, smtp_rank=excluded.smtp_rank, smtp_next=excluded.smtp_next, api_next=excluded.api_next,
        dkim_next=excluded.dkim_next, all_state=excluded.all_state,
        all_rank=excluded.all_rank, all_next=excluded.all_next, flags=excluded.flags, problems=excluded.problems,
        stamp=excluded.stamp, scanned_at=excluded.scanned_at`);
    const clear = this.stmt('DELETE FROM inventory_secrets WHERE tenant_id=@tenant_id');
    const rowid = this.stmt('SELECT rowid AS id FROM inventory_tenants WHERE tenant_id=@tenant_id');
    const unindex = this.stmt('DELETE FROM inventory_search WHERE rowid=@id');
    const index = this.stmt('INSERT INTO inventory_search (rowid, hay) VALUES (@id, @hay)');
    const insert = this.stmt(`
      INSERT INTO inventory_secrets (tenant_id, path, type, name, status, last_rotated, next_rotation, current_version, updated_time, metadata_json, versions_json, problem)
      VALUES (@tenant_id, @path, @type, @name, @status, @last_rotated, @next_rotation, @current_version, @updated_time, @metadata_json, @versions_json, @problem)`);
    this.db.transaction(() => {
      upsert.run({
        tenant_id: t.tenantId,
        id_fold: fold(t.tenantId),
        name: t.name,
        name_fold: fold(t.name),
        vps_ip: t.vpsIp,
        vps_ip_sort: t.vpsIpSort,
        domains: t.domains.join(','),
        api_count: t.apiCount,
        dkim_count: t.dkimCount,
        last_rotation: t.lastRotation,
        ssh_state: t.ssh.state,
        ssh_rank: t.ssh.rank,
        ssh_next: t.ssh.next,
        smtp_state: t.smtp.state,
        smtp_rank: t.smtp.rank,
        smtp_next: t.smtp.next,
        api_next: t.apiNext,
        dkim_next: t.dkimNext,
        all_state: t.all.state,
        all_rank: t.all.rank,
        all_next: t.all.next,
        flags: t.flags,
        problems: t.problems,
        stamp: t.stamp,
        scanned_at: scannedAt,
      });
      const id = (rowid.get({ tenant_id: t.tenantId }) as { id: number }).id;
      unindex.run({ id });
      index.run({ id, hay: searchText(t.tenantId, t.name) });
      clear.run({ tenant_id: t.tenantId });
      for (const s of secrets) {
        insert.run({
          tenant_id: t.tenantId,
          path: s.path,
          type: s.type,
          name: s.name,
          status: s.status,
          last_rotated: s.lastRotated,
          next_rotation: s.nextRotationMs,
          current_version: s.currentVersion,
          updated_time: s.updatedTime,
          metadata_json: JSON.stringify(s.metadata),
          versions_json: JSON.stringify(s.versions),
          problem: s.problem,
        });
      }
    })();
  }

  deleteTenants(ids: readonly string[]): number {
    const unindex = this.stmt('DELETE FROM inventory_search WHERE rowid IN (SELECT rowid FROM inventory_tenants WHERE tenant_id=@id)');
    const del = this.stmt('DELETE FROM inventory_tenants WHERE tenant_id=@id');
    let n = 0;
    this.db.transaction(() => {
      for (const id of ids) {
        unindex.run({ id });
        n += del.run({ id }).changes;
      }
    })();
    return n;
  }

  /** Forget the index and its run history: it was built from another cluster. */
  forgetAll(): void {
    this.db.transaction(() => {
      this.clearAll();
      this.db.prepare('DELETE FROM inventory_sync_runs').run();
    })();
  }

  clearAll(): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM inventory_secrets').run();
      this.db.prepare('DELETE FROM inventory_search').run();
      this.db.prepare('DELETE FROM inventory_tenants').run();
    })();
  }

  // ---- search -------------------------------------------------------------------

  search(q: TenantSearchQuery, nowMs: number): { total: number; rows: TenantRow[] } {
    const where: string[] = [];
    const params: Record<string, string | number> = {};
    const text = q.query.trim();
    if (text !== '') {
      const folded = fold(text);
      params.prefix = `${escapeLike(text)}%`;
      if ([...folded].length >= 3) {
        // Trigram phrase = literal substring (no wildcards in MATCH); the phrase is quoted and bound.
        // VPS IP prefix as a range on its index (binary order), so both halves are index lookups.
        params.phrase = ftsPhrase(folded);
        params.ipLo = text;
        params.ipHi = `${text}\uffff`;
        delete params.prefix;
        where.push(
          't.rowid IN (SELECT rowid FROM inventory_search WHERE inventory_search MATCH @phrase UNION SELECT rowid FROM inventory_tenants WHERE vps_ip >= @ipLo AND vps_ip < @ipHi)',
        );
      } else {
        params.sub = `%${escapeLike(folded)}%`;
        where.push("(t.id_fold LIKE @sub ESCAPE '\\' OR t.name_fold LIKE @sub ESCAPE '\\' OR t.vps_ip LIKE @prefix ESCAPE '\\')");
      }
    }
    if (!q.due && (q.type !== 'all' || q.status)) {
      // Type and status alone: one bit test per tenant, no join.
      where.push('(t.flags & @mask) != 0');
      params.mask = flagMask(q.type, q.status);
    } else if (q.due) {
      // From the tenant's per-type aggregates: "expired present" is a bit, the earliest active
      // next_rotation a column. Only a tenant whose earliest rotation is already overdue needs
      // a lookup (in its own rows) for another secret due within the window.
      const next = `t.${q.type === 'all' ? 'all' : q.type}_next`;
      params.now = nowMs;
      const parts: string[] = [];
      const wants = (st: string) => !q.status || q.status === st;
      if (q.due === 'overdue') {
        // Spec: "Rotation Due: Overdue" lists tenants with expired keys as well as those past their date.
        if (wants('expired')) {
          parts.push('(t.flags & @expiredMask) != 0');
          params.expiredMask = flagMask(q.type, 'expired');
        }
        if (wants('active')) parts.push(`${next} < @now`);
      } else if (wants('active')) {
        params.until = nowMs + (q.due === '7d' ? 7 : 30) * DAY_MS;
        const typeSql = q.type === 'all' ? " AND s.type IN ('ssh','smtp','api','dkim')" : ' AND s.type = @type';
        if (q.type !== 'all') params.type = q.type;
        parts.push(
          `${next} BETWEEN @now AND @until`,
          `(${next} < @now AND EXISTS (SELECT 1 FROM inventory_secrets s WHERE s.tenant_id = t.tenant_id AND s.status = 'active' AND s.next_rotation BETWEEN @now AND @until${typeSql}))`,
        );
      }
      where.push(parts.length > 0 ? `(${parts.join(' OR ')})` : '0');
    }
    const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';

    const total = (this.stmt(`SELECT count(*) AS n FROM inventory_tenants t ${whereSql}`).get(params) as { n: number }).n;
    const dir = q.dir === 'desc' ? 'DESC' : 'ASC';
    const order = [...SORT_SQL[q.sort], 't.tenant_id'].map((c) => `${c} ${dir}`).join(', ');
    const rows = this.stmt(
      `SELECT t.tenant_id, t.name, t.vps_ip, t.ssh_state, t.ssh_next, t.smtp_state, t.smtp_next, t.all_state, t.all_next, t.api_count, t.dkim_count, t.last_rotation, t.problems
       FROM inventory_tenants t ${whereSql} ORDER BY ${order} LIMIT @limit OFFSET @offset`,
    ).all({ ...params, limit: q.limit, offset: q.offset }) as TenantDbRow[];
    const summaries = this.summaries(q, rows.map((r) => r.tenant_id), nowMs);
    return {
      total,
      rows: rows.map((r) => ({
        ...summaries.get(r.tenant_id)!,
        tenantId: r.tenant_id,
        name: r.name,
        vpsIp: r.vps_ip,
        ssh: columnHealth(r.ssh_state, r.ssh_next, nowMs),
        smtp: columnHealth(r.smtp_state, r.smtp_next, nowMs),
        overall: columnHealth(r.all_state, r.all_next, nowMs),
        apiCount: r.api_count,
        dkimCount: r.dkim_count,
        lastRotation: r.last_rotation,
        problems: r.problems,
      })),
    };
  }

  /**
   * For the rows of one page: every secret type's worst status and count, and the secrets
   * that match the status / rotation-due filter. One lookup by primary key for the page's
   * tenants (≤ 1,000), classified with the same rules as the filter.
   */
  private summaries(q: TenantSearchQuery, ids: readonly string[], nowMs: number): Map<string, Pick<TenantRow, 'types' | 'matched' | 'matchedTotal'>> {
    const out = new Map<string, Pick<TenantRow, 'types' | 'matched' | 'matchedTotal'>>();
    const empty = (): TypeSummary => ({ health: 'none', count: 0, total: 0 });
    for (const id of ids) out.set(id, { types: { ssh: empty(), smtp: empty(), api: empty(), dkim: empty() }, matched: [], matchedTotal: 0 });
    if (ids.length === 0) return out;
    const secrets = this.stmt(
      "SELECT tenant_id, type, name, status, next_rotation FROM inventory_secrets WHERE tenant_id IN (SELECT value FROM json_each(@ids)) AND type IN ('ssh', 'smtp', 'api', 'dkim')",
    ).all({ ids: JSON.stringify(ids) }) as Array<{ tenant_id: string; type: keyof TenantRow['types']; name: string; status: string; next_rotation: number | null }>;
    const filtering = Boolean(q.due || q.status);
    const until = q.due === '7d' || q.due === '30d' ? nowMs + (q.due === '7d' ? 7 : 30) * DAY_MS : 0;
    const wants = (st: string) => !q.status || q.status === st;
    const matches = (type: string, status: string, next: number | null): boolean => {
      if (q.type !== 'all' && type !== q.type) return false;
      if (q.due === 'overdue') return (wants('expired') && status === 'expired') || (wants('active') && status === 'active' && next !== null && next < nowMs);
      if (q.due) return wants('active') && status === 'active' && next !== null && next >= nowMs && next <= until;
      return status === q.status;
    };
    const matched = new Map<string, Array<MatchedSecret & { next: number }>>();
    for (const s of secrets) {
      const row = out.get(s.tenant_id);
      if (!row) continue;
      const health = secretHealth(s.status, s.next_rotation, nowMs);
      const t = row.types[s.type];
      t.total++;
      if (HEALTH_SEVERITY[health] < HEALTH_SEVERITY[t.health]) {
        t.health = health;
        t.count = 1;
      } else if (health === t.health) t.count++;
      if (filtering && matches(s.type, s.status, s.next_rotation)) {
        const list = matched.get(s.tenant_id) ?? [];
        list.push({ type: s.type, name: s.name, health, nextRotation: s.next_rotation !== null ? new Date(s.next_rotation).toISOString() : null, next: s.next_rotation ?? 0 });
        matched.set(s.tenant_id, list);
      }
    }
    for (const [id, list] of matched) {
      list.sort((a, b) => HEALTH_SEVERITY[a.health] - HEALTH_SEVERITY[b.health] || a.next - b.next || a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
      const row = out.get(id)!;
      row.matched = list.slice(0, MATCHED_LIMIT).map(({ next: _next, ...m }) => m);
      row.matchedTotal = list.length;
    }
    return out;
  }

  tenant(tenantId: string): StoredTenant | null {
    const t = this.stmt('SELECT tenant_id, name, vps_ip, domains, scanned_at, stamp FROM inventory_tenants WHERE tenant_id=@id').get({ id: tenantId }) as
      | { tenant_id: string; name: string; vps_ip: string; domains: string; scanned_at: string; stamp: string }
      | undefined;
    if (!t) return null;
    const secrets = this.stmt('SELECT * FROM inventory_secrets WHERE tenant_id=@id ORDER BY path').all({ id: tenantId }) as Array<{
      tenant_id: string;
      path: string;
      type: string;
      name: string;
      status: string;
      last_rotated: string | null;
      next_rotation: number | null;
      current_version: number;
      updated_time: string;
      metadata_json: string;
      versions_json: string;
      problem: string | null;
    }>;
    return {
      tenantId: t.tenant_id,
      name: t.name,
      vpsIp: t.vps_ip,
      domains: t.domains ? t.domains.split(',') : [],
      scannedAt: t.scanned_at,
      stamp: t.stamp,
      secrets: secrets.map((s) => ({
        tenantId: s.tenant_id,
        path: s.path,
        type: s.type,
        name: s.name,
        status: s.status,
        lastRotated: s.last_rotated,
        nextRotationMs: s.next_rotation,
        currentVersion: s.current_version,
        updatedTime: s.updated_time,
        metadata: JSON.parse(s.metadata_json) as Record<string, string>,
        versions: JSON.parse(s.versions_json) as IndexedVersion[],
        problem: s.problem,
      })),
    };
  }
}
