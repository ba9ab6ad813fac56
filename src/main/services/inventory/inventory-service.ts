// The tenant secrets inventory: a local SQLite index of KV v2 METADATA, synced from
// Vault (bounded concurrency, progress, cancel, incremental, crash-safe), searched in
// SQLite, plus the few actions that need Vault at the moment they happen (rotation
// history, DKIM DNS records, SSH key download, API key revoke).
import { AppError } from '../../../shared/errors';
import { parseUsage } from '../../../shared/inventory/api-usage';
import type {
  ApiKeyInfo,
  ApiUsage,
  DkimDns,
  IndexState,
  RotationHistory,
  TenantDetails,
  SyncProgress,
  SyncResult,
  TenantSearchQuery,
  TenantSearchResult,
} from '../../../shared/contracts/inventory';
import type { EventSink } from '../../handlers/types';
import { newConsoleTag } from '../audit/console-header';
import { createLogger, type Logger } from '../log/logger';
import type { InventoryRepo } from '../storage/inventory-repo';
import type { Clock } from '../time/clock';
import type { VaultClient } from '../vault/vault-client';
import { bumpTenantStamps } from '../vault/tenant-stamps';
import { MetadataSource, type ScanStrategy } from './metadata-source';
import { buildTenant, normalizeSecret, stampOf, type RawMetadata } from './normalize';
import { checkTenantPath, detailsFromIndex, VaultTenantReader, writeFileAtomic0600 } from './tenant-details';

/** Where a downloaded key goes: a save dialog in Electron, a path chosen by the test in the harness. null = cancelled. */
export interface SavePathPicker {
  pick(opts: { suggestedName: string; title: string }): Promise<string | null>;
}

export interface InventoryAuditEvent {
  action: 'download' | 'revoke';
  tenantId: string;
  path: string;
  outcome: 'ok' | 'failed' | 'cancelled';
  actor: string | null;
  at: string;
  detail?: string;
  /** The id carried in the audited X-Vault-Console-Action header of the action's Vault requests. */
  requestId?: string;
}

/**
 * Hook for the console's own audit trail. The AuditRecorder (src/main/services/audit/)
 * plugs in here; until then the default writes a one-line [audit] log event.
 */
export interface InventoryAuditHook {
  record(event: InventoryAuditEvent): void | Promise<void>;
}

export function consoleAuditHook(logger: Logger = createLogger('audit')): InventoryAuditHook {
  return {
    record(e) {
      logger.info(`${e.action} ${e.outcome} tenant ${e.tenantId} ${e.path.slice(e.tenantId.length + 1)} by ${e.actor ?? 'unknown'} at ${e.at}${e.detail ? ` (${e.detail})` : ''}`);
    },
  };
}

export const DEFAULT_SYNC_CONCURRENCY = 16;
const PROGRESS_EVERY_MS = 250;

export interface InventoryServiceDeps {
  repo: InventoryRepo;
  clock: Clock;
  /** The signed-in session's client (throws UNAUTHENTICATED when signed out). */
  client: () => VaultClient;
  /** The KV v2 mount of the active profile. */
  mount: () => string;
  events?: Pick<EventSink, 'emit'>;
  logger?: Logger;
  concurrency?: number;
  /** Tenants per change-stamp LIST page (default 1,000; tests page with fewer). */
  stampsPageSize?: number;
  /** Force a scan strategy (bench, tests); default: detailed when allowed, else plain. */
  strategy?: ScanStrategy | 'auto';
  savePath?: SavePathPicker;
  audit?: InventoryAuditHook;
  /** Who is acting (the session's display name), for the audit event. */
  actor?: () => string | null;
}

export interface SyncOptions {
  mode?: 'incremental' | 'full';
  signal?: AbortSignal;
  onProgress?: (p: SyncProgress) => void;
}

export class InventoryService {
  private readonly log: Logger;
  private running: AbortController | null = null;
  /** Settles when the running sync has finished, whatever its outcome. */
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly deps: InventoryServiceDeps) {
    this.log = deps.logger ?? createLogger('inventory');
    const n = deps.repo.markInterrupted(this.nowIso());
    if (n > 0) this.log.warn(`${n} sync run(s) did not finish (process ended); the next sync completes the index`);
  }

  private nowIso(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }

  state(): IndexState {
    const mount = this.deps.mount();
    const last = this.deps.repo.lastRun();
    const sameMount = this.deps.repo.indexedMount() === mount;
    return {
      mount,
      tenants: sameMount ? this.deps.repo.count() : 0,
      lastSyncAt: sameMount ? (this.deps.repo.lastDone(mount)?.finished_at ?? null) : null,
      lastFullSyncAt: sameMount ? (this.deps.repo.lastDone(mount, 'full')?.finished_at ?? null) : null,
      running: this.running !== null,
      lastOutcome: last?.outcome ?? null,
    };
  }

  search(q: TenantSearchQuery): TenantSearchResult {
    const { total, rows } = this.deps.repo.search(q, this.deps.clock.now());
    return { total, offset: q.offset, rows, index: this.state() };
  }

  /**
   * The active profile changed: the index describes another cluster. Cancel a running
   * sync, wait until it has settled (no tenant write lands afterwards), then forget it all.
   */
  async forget(): Promise<void> {
    this.cancel();
    await this.inFlight;
    this.deps.repo.forgetAll();
    this.deps.events?.emit('tenants:index-changed', this.state());
  }

  cancel(): boolean {
    if (!this.running) return false;
    this.running.abort(new AppError('CANCELLED', 'Sync cancelled.'));
    return true;
  }

  /**
   * Incremental (default): LIST the tenants, drop the ones gone, and rescan only tenants
   * whose profile metadata stamp moved (writers bump it; docs/vault-layout.md) or that are
   * new. Full: rescan every tenant; a full run that was interrupted resumes where it was.
   * Each tenant is written in one transaction, so a crash never leaves half a tenant.
   */
  sync(opts: SyncOptions = {}): Promise<SyncResult> {
    const before = this.running;
    const run = this.runSync(opts);
    // Only a run that started is tracked; a refused one (CONFLICT) must not replace it.
    if (this.running && this.running !== before) this.inFlight = run.then(() => undefined, () => undefined);
    return run;
  }

  private async runSync(opts: SyncOptions): Promise<SyncResult> {
    if (this.running) throw new AppError('CONFLICT', 'A sync is already running.');
    const client = this.deps.client();
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort(opts.signal?.reason);
    opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
    this.running = controller;
    const signal = controller.signal;
    const repo = this.deps.repo;
    const mount = this.deps.mount();
    const mode = opts.mode ?? 'incremental';
    const started = performance.now();
    const prev = repo.lastRun();
    if (repo.indexedMount() !== null && repo.indexedMount() !== mount) repo.clearAll();
    const runId = repo.startRun(mount, mode, this.nowIso());
    const src = new MetadataSource(client, mount, this.deps.concurrency ?? DEFAULT_SYNC_CONCURRENCY, this.deps.strategy ?? 'auto');
    const c = { total: 0, scanned: 0, unchanged: 0, removed: 0, problems: 0, added: 0, requests: 0 };
    let lastEmit = 0;
    const progress = (phase: SyncProgress['phase'], force = false) => {
      const p: SyncProgress = { runId, mode, phase, total: c.total, done: c.scanned + c.unchanged, scanned: c.scanned, unchanged: c.unchanged };
      opts.onProgress?.(p);
      // The UI and the run row get at most a few updates a second.
      const now = performance.now();
      if (!force && now - lastEmit < PROGRESS_EVERY_MS) return;
      lastEmit = now;
      c.requests = src.requests;
      this.deps.events?.emit('tenants:sync-progress', p);
      repo.progressRun(runId, c);
    };
    try {
      progress('listing', true);
      const ids = await src.listTenants();
      // Change stamps for every tenant in ~N/1000 requests (null: read each profile instead).
      const marks = await src.listStamps(this.deps.stampsPageSize);
      c.total = ids.length;
      const known = repo.stamps();
      const listed = new Set(ids);
      const gone = [...known.keys()].filter((id) => !listed.has(id));
      // LIST is authoritative for which tenants exist: drop the deleted ones first.
      c.removed = repo.deleteTenants(gone);
      // A full sync that did not finish resumes: tenants scanned since it started are fresh.
      const resumeSince = mode === 'full' && prev && prev.mode === 'full' && prev.mount === mount && prev.outcome !== 'done' ? prev.started_at : null;
      progress('scanning', true);
      await runPool(ids, this.deps.concurrency ?? DEFAULT_SYNC_CONCURRENCY, signal, async (tenantId) => {
        const had = known.get(tenantId);
        // Stamp from the stamps mount when the tenant has one (the scan then brings the
        // profile), else from the profile's metadata, read first (docs/vault-layout.md).
        const mark = marks?.get(tenantId);
        const profile = mark === undefined ? await src.readMetadata(`${tenantId}/profile`) : undefined;
        const stamp = mark ?? stampOf(profile ?? null);
        const fresh = mode === 'incremental' ? had !== undefined && had.stamp !== '' && had.stamp === stamp : resumeSince !== null && had !== undefined && had.scannedAt >= resumeSince;
        if (fresh) {
          c.unchanged++;
        } else {
          c.problems += await this.scanOne(src, tenantId, profile, stamp);
          c.scanned++;
          if (!had) c.added++;
        }
        progress('scanning');
      });
      c.requests = src.requests;
      const outcome = signal.aborted ? 'cancelled' : 'done';
      repo.finishRun(runId, outcome, this.nowIso(), c);
      progress('done', true);
      const result: SyncResult = {
        runId,
        mode,
        outcome,
        total: c.total,
        scanned: c.scanned,
        unchanged: c.unchanged,
        added: c.added,
        removed: c.removed,
        problems: c.problems,
        requests: c.requests,
        durationMs: performance.now() - started,
        strategy: src.strategy ?? 'none',
      };
      this.log.info(`sync run ${runId} ${mode} ${outcome}: ${c.scanned} scanned, ${c.unchanged} unchanged, ${c.removed} removed, ${c.problems} problems, ${c.requests} requests`);
      this.deps.events?.emit('tenants:index-changed', { ...this.state(), running: false });
      return result;
    } catch (err) {
      c.requests = src.requests;
      repo.finishRun(runId, 'failed', this.nowIso(), c, err instanceof AppError ? err.message : 'internal error');
      this.log.error(`sync run ${runId} ${mode} failed`, err);
      throw err;
    } finally {
      opts.signal?.removeEventListener('abort', onOuterAbort);
      this.running = null;
    }
  }

  /** Scans one tenant and replaces it in the index; returns how many of its secrets have problems. */
  /** profile undefined: the stamp came from the stamps mount and the scan brings the profile. */
  private async scanOne(src: MetadataSource, tenantId: string, profile: RawMetadata | null | undefined, stamp: string): Promise<number> {
    const entries = await src.scanTenant(tenantId, profile === undefined);
    // Use the profile read before the scan: its stamp must not be newer than the secrets.
    if (profile) entries.set('profile', profile);
    else if (profile === null) entries.delete('profile');
    if (entries.size === 0) {
      // Listed, then deleted before we got there.
      this.deps.repo.deleteTenants([tenantId]);
      return 0;
    }
    const secrets = [...entries].map(([rel, raw]) => normalizeSecret(tenantId, rel, raw));
    const tenant = buildTenant(tenantId, secrets, stamp);
    this.deps.repo.replaceTenant(tenant, secrets, this.nowIso());
    for (const s of secrets) if (s.problem) this.log.warn(`tenant ${tenantId} ${s.path.slice(tenantId.length + 1)}: status unknown (${s.problem})`);
    return tenant.problems;
  }

  show(tenantId: string): TenantDetails {
    const t = this.deps.repo.tenant(tenantId);
    if (!t) throw new AppError('NOT_FOUND', `Tenant ${tenantId.slice(0, 80)} is not in the index (sync first, or it was deleted).`);
    return detailsFromIndex(t, new Date(this.deps.clock.now()));
  }

  private reader(): VaultTenantReader {
    return new VaultTenantReader(this.deps.client(), this.deps.mount());
  }

  async history(tenantId: string, path: string): Promise<RotationHistory> {
    checkTenantPath(tenantId, path);
    return this.reader().history(path);
  }

  async dkimDns(tenantId: string, domain: string): Promise<DkimDns> {
    checkTenantPath(tenantId, `${tenantId}/dkim/${domain}`);
    return this.reader().dkimDns(tenantId, domain);
  }

  /**
   * Usage over time of the tenant's API keys: the counters the platform keeps in each
   * key's custom_metadata, read now from Vault (metadata only: the auditor may see it).
   * The index knows which keys exist; a key deleted since the last sync is left out.
   */
  async apiUsage(tenantId: string): Promise<ApiUsage> {
    const t = this.deps.repo.tenant(tenantId);
    if (!t) throw new AppError('NOT_FOUND', `Tenant ${tenantId.slice(0, 80)} is not in the index (sync first, or it was deleted).`);
    const reader = this.reader();
    const keys: ApiUsage['keys'] = [];
    for (const s of t.secrets.filter((x) => x.type === 'api')) {
      checkTenantPath(tenantId, s.path);
      const meta = await reader.metadata(s.path);
      if (!meta) continue;
      const md: Record<string, string> = {};
      for (const [k, v] of Object.entries(meta.custom_metadata ?? {})) if (typeof v === 'string') md[k] = v;
      const usage = parseUsage(md);
      const total = md.request_count !== undefined && /^\d{1,15}$/.test(md.request_count) ? Number(md.request_count) : null;
      const noCounters = usage.daily.length === 0 && usage.monthly.length === 0 && usage.problem === null;
      keys.push({
        keyId: s.name,
        status: typeof md.status === 'string' ? md.status : s.status,
        total,
        lastUsed: md.last_used && !Number.isNaN(Date.parse(md.last_used)) ? new Date(Date.parse(md.last_used)).toISOString() : null,
        daily: usage.daily,
        monthly: usage.monthly,
        updatedAt: usage.updatedAt,
        problem: usage.problem ?? (noCounters ? 'The platform has written no usage counters for this key yet.' : null),
      });
    }
    return { tenantId, readAt: this.nowIso(), keys };
  }

  private async audit(e: Omit<InventoryAuditEvent, 'at' | 'actor'>): Promise<void> {
    const hook = this.deps.audit ?? consoleAuditHook();
    try {
      await hook.record({ ...e, actor: this.deps.actor?.() ?? null, at: this.nowIso() });
    } catch (err) {
      this.log.error(`audit hook failed for ${e.action} tenant ${e.tenantId}`, err);
    }
  }

  /** Bumps the tenant's change stamp so every console's next incremental sync rescans it. */
  private async touch(tenantId: string): Promise<void> {
    const r = await bumpTenantStamps(this.deps.client(), this.deps.mount(), [tenantId], this.nowIso());
    if (r.failed.length > 0) this.log.warn(`tenant ${tenantId}: could not bump the change stamp; the next full sync picks the change up`);
  }

  /**
   * Saves the tenant SSH private key to a file the user picks (0600, atomic) and records
   * the download in custom_metadata. The key is read from Vault only now, with the
   * session's client, and never leaves main.
   */
  async downloadSshKey(tenantId: string): Promise<{ saved: boolean; path: string | null; downloadedAt: string | null }> {
    const path = `${tenantId}/ssh/tenant`;
    checkTenantPath(tenantId, path);
    if (!this.deps.savePath) throw new AppError('INTERNAL', 'No save dialog is available in this shell.');
    const reader = this.reader();
    const target = await this.deps.savePath.pick({ suggestedName: `${tenantId}_tenant_ed25519`, title: `Save the SSH key of ${tenantId}` });
    if (!target) {
      await this.audit({ action: 'download', tenantId, path, outcome: 'cancelled' });
      return { saved: false, path: null, downloadedAt: null };
    }
    // Vault's own audit log names the action and the console record's id (audited header).
    const tag = newConsoleTag('download');
    try {
      const data = await reader.data(path, tag.headers);
      const key = data?.private_key;
      if (typeof key !== 'string' || !key.startsWith('-----BEGIN OPENSSH PRIVATE KEY-----')) {
        throw new AppError('VAULT_ERROR', `The tenant SSH key of ${tenantId} is missing or not an OpenSSH private key.`);
      }
      await writeFileAtomic0600(target, key.endsWith('\n') ? key : `${key}\n`);
    } catch (err) {
      await this.audit({ action: 'download', tenantId, path, outcome: 'failed', detail: err instanceof AppError ? err.code : 'error', requestId: tag.requestId });
      throw err;
    }
    const at = this.nowIso();
    await reader.mergeCustomMetadata(path, { last_downloaded: at }, tag.headers);
    await this.touch(tenantId);
    await this.audit({ action: 'download', tenantId, path, outcome: 'ok', detail: `saved to ${target}`, requestId: tag.requestId });
    this.log.info(`tenant ${tenantId} ssh/tenant downloaded`);
    await this.refreshTenant(tenantId).catch(() => undefined);
    return { saved: true, path: target, downloadedAt: at };
  }

  /** Revokes an API key: status=revoked in its custom_metadata (kept for audit). confirm must repeat the key id. */
  async revokeApiKey(tenantId: string, keyId: string, confirm: string): Promise<ApiKeyInfo> {
    if (confirm !== keyId) throw new AppError('BAD_INPUT', 'Type the key id to confirm the revocation.');
    const path = `${tenantId}/api/${keyId}`;
    checkTenantPath(tenantId, path);
    const reader = this.reader();
    const meta = await reader.metadata(path);
    if (!meta) throw new AppError('NOT_FOUND', `No API key ${keyId.slice(0, 40)} for ${tenantId.slice(0, 80)}.`);
    if ((meta.custom_metadata as Record<string, string> | null | undefined)?.status === 'revoked') {
      throw new AppError('CONFLICT', `API key ${keyId} is already revoked.`);
    }
    const tag = newConsoleTag('revoke');
    try {
      await reader.mergeCustomMetadata(path, { status: 'revoked', revoked_at: this.nowIso(), revoked_by: this.deps.actor?.() ?? 'unknown' }, tag.headers);
    } catch (err) {
      await this.audit({ action: 'revoke', tenantId, path, outcome: 'failed', detail: err instanceof AppError ? err.code : 'error', requestId: tag.requestId });
      throw err;
    }
    await this.touch(tenantId);
    await this.audit({ action: 'revoke', tenantId, path, outcome: 'ok', requestId: tag.requestId });
    this.log.info(`tenant ${tenantId} api/${keyId} revoked`);
    await this.refreshTenant(tenantId);
    const key = this.show(tenantId).apiKeys.find((k) => k.keyId === keyId);
    if (!key) throw new AppError('NOT_FOUND', `API key ${keyId} disappeared after the revocation.`);
    return key;
  }

  /** Re-reads one tenant now (after an action), without a full sync. */
  async refreshTenant(tenantId: string): Promise<void> {
    const src = new MetadataSource(this.deps.client(), this.deps.mount(), 4, this.deps.strategy ?? 'auto');
    // The stamp is read before the tenant, like in a sync.
    const mark = await src.readStamp(tenantId);
    if (mark !== null) {
      await this.scanOne(src, tenantId, undefined, mark);
      return;
    }
    const profile = await src.readMetadata(`${tenantId}/profile`);
    await this.scanOne(src, tenantId, profile, stampOf(profile));
  }
}

/** Like seed/promise-pool, but an abort ends the run quietly (the caller reports "cancelled"). */
async function runPool<T>(items: readonly T[], concurrency: number, signal: AbortSignal, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (!failure && !signal.aborted && next < items.length) {
      const item = items[next++]!;
      try {
        await task(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  if (failure) throw failure.err;
}
