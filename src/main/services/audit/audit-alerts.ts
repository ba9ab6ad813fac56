// The alert rules over the local audit store: gathers Vault's record of each kind of
// event (bounded), reads back from Vault the approval records its log holds HMAC'd, runs
// the pure detectors (alert-detector.ts) and caches the answer. The app, the CLI and the
// headless watch service all use it through AuditService (or on their own: it needs the
// repo and, for the read-back, a session).
import type { AlertSettings, AuditAlertView, AuditFilter } from '../../../shared/contracts/audit';
import { normalizeUser } from '../../../shared/contracts/audit';
import { AppError } from '../../../shared/errors';
import type { Logger } from '../log/logger';
import type { SessionInfo } from '../session/session-types';
import { parseFilterTime, type AuditRepo } from '../storage/audit-repo';
import type { Clock } from '../time/clock';
import { encodeKvPath } from '../vault/kv';
import type { VaultClient } from '../vault/vault-client';
import { candidateUtcHours, detectAlerts, type DetectorInput } from './alert-detector';

/** Events of each kind a detector looks at (the newest in the range): bounds the work at millions of events. */
export const ALERT_SCAN_LIMIT = 100_000;
/** Alerts listed per answer (all are counted). */
export const ALERTS_LISTED = 200;
const DEFAULT_ALERT_DAYS = 30;

export interface AlertsResult {
  alerts: AuditAlertView[];
  total: number;
  red: number;
  yellow: number;
  /** Set when a detector's scan stopped at ALERT_SCAN_LIMIT: alerts are complete from this time on. */
  partialSince: string | null;
  computedAt: string;
}

export interface AuditAlertsDeps {
  repo: AuditRepo;
  session: { info(): SessionInfo; requireClient(): VaultClient };
  clock: Clock;
  log: Logger;
  /** The connection's namespace ("" at the root): approval records are read relative to it. */
  namespace?: () => string;
}

export class AuditAlerts {
  constructor(private readonly deps: AuditAlertsDeps) {}

  private alertCache: { key: string; version: number; at: number; tookMs: number; alerts: AuditAlertView[]; partialSince: string | null } | null = null;

  /**
   * Alerts over the filter's date range (default: the last 30 days of data), red
   * first, newest first; at most `limit` listed, all counted. Each detector looks at
   * the newest ALERT_SCAN_LIMIT events of its kind in the range; where that cut
   * something off, partialSince says from when the alerts are complete. While signed
   * in, approval records whose content Vault's log holds HMAC'd are read back from
   * Vault first (resolveApprovalRecords). The viewer asks on every refresh: the
   * answer is kept until events or settings change, and while events stream in, a
   * computation that took t ≥ 100 ms is reused for 10 t (2 s to 60 s), so alerts
   * never take more than a tenth of main's time.
   */
  async alerts(filter: AuditFilter, settings: AlertSettings, limit = ALERTS_LISTED): Promise<AlertsResult> {
    await this.resolveApprovalRecords().catch((err: unknown) => {
      this.deps.log.warn(`approval records not read from Vault: ${err instanceof AppError ? err.code : 'error'}`);
    });
    return this.alertsNow(filter, settings, limit);
  }

  /** The same from the local store only (no Vault call). */
  alertsNow(filter: AuditFilter, settings: AlertSettings, limit = ALERTS_LISTED): AlertsResult {
    // The user filter only narrows the finished list (below): it is not part of the key.
    const key = JSON.stringify([filter.from ?? null, filter.to ?? null, settings]);
    const version = this.deps.repo.version;
    // Wall time, not the injected clock: this paces CPU use, it is not a rule.
    const now = Date.now();
    const c = this.alertCache;
    const reuseMs = c && c.tookMs >= 100 ? Math.min(60_000, Math.max(2_000, c.tookMs * 10)) : 0;
    const fresh = c && c.key === key && (c.version === version || now - c.at < reuseMs);
    if (!fresh) {
      const started = performance.now();
      const r = this.computeAlerts(filter, settings);
      this.alertCache = { key, version, at: now, tookMs: performance.now() - started, ...r };
    }
    // One meaning of the user filter everywhere: the exact normalised name, here one of the alert's users.
    const user = filter.user === undefined ? '' : normalizeUser(filter.user);
    const all = user ? this.alertCache!.alerts.filter((a) => a.users.includes(user)) : this.alertCache!.alerts;
    return {
      computedAt: new Date(this.alertCache!.at).toISOString(),
      alerts: all.slice(0, limit),
      total: all.length,
      red: all.filter((a) => a.severity === 'red').length,
      yellow: all.filter((a) => a.severity === 'yellow').length,
      partialSince: this.alertCache!.partialSince,
    };
  }

  /** What the detectors look at in [from, to]: Vault's record, bounded per kind. */
  detectorInput(from: number, to: number, settings: AlertSettings): DetectorInput & { partialSince: string | null } {
    const failed = this.deps.repo.byAction('failed-login', from, to, ALERT_SCAN_LIMIT);
    const reads = this.deps.repo.byAction('read', from, to, ALERT_SCAN_LIMIT, { tenantOnly: true });
    const deletes = this.deps.repo.byAction('delete', from, to, ALERT_SCAN_LIMIT, { tenantOnly: true });
    const writes = this.deps.repo.byAction('write', from, to, ALERT_SCAN_LIMIT, { tenantOnly: true });
    const offHours = this.deps.repo.tenantAccessInHours(candidateUtcHours(settings), from, to, ALERT_SCAN_LIMIT);
    const conflicts = this.deps.repo.headerConflicts(from, to, ALERT_SCAN_LIMIT);
    const critical = this.deps.repo.byAction('sys-critical', from, to, ALERT_SCAN_LIMIT);
    const decrypts = this.deps.repo.byAction('decrypt', from, to, ALERT_SCAN_LIMIT);
    // Approvals may be older than the range: everything up to its end.
    const approvalWrites = this.deps.repo.approvalWrites(to, ALERT_SCAN_LIMIT);
    const unclassified = this.deps.repo.unclassified(from, to, ALERT_SCAN_LIMIT);
    const entities = new Set<string>();
    for (const list of [reads, writes, offHours, conflicts, critical, decrypts]) for (const e of list) if (e.entityId) entities.add(e.entityId);
    const entityNames = this.deps.repo.entityNames([...entities]);
    const cut = [failed, reads, deletes, writes, offHours, conflicts, critical, decrypts].filter((l) => l.capped && l.length > 0).map((l) => l[0]!.ts);
    return { failed, reads, deletes, writes, offHours, conflicts, critical, decrypts, approvalWrites, unclassified, entityNames, partialSince: cut.length ? new Date(Math.max(...cut)).toISOString() : null };
  }

  private computeAlerts(filter: AuditFilter, settings: AlertSettings): { alerts: AuditAlertView[]; partialSince: string | null } {
    const bounds = this.deps.repo.timeBounds();
    if (!bounds) return { alerts: [], partialSince: null };
    const to = parseFilterTime(filter.to, 'to') ?? bounds.max;
    const from = parseFilterTime(filter.from, 'from') ?? Math.max(bounds.min, to - DEFAULT_ALERT_DAYS * 86_400_000);
    // Evidence before the range still counts: an approval used by a delete just before
    // `from`, the first half of a bulk, the day of wide reads. The rules look back over
    // their longest window; alerts that end inside the range are listed.
    const lookback = Math.max(86_400_000, settings.approvalValidHours * 3_600_000, settings.failedAuthWindowMinutes * 60_000, settings.bulkReadWindowSeconds * 1000);
    const input = this.detectorInput(from - lookback, to, settings);
    const alerts = detectAlerts(input, settings).filter((a) => Date.parse(a.to) >= from);
    return { alerts, partialSince: input.partialSince };
  }

  private resolving: Promise<void> | null = null;
  private readonly unavailable = new Map<number, number>();

  /**
   * Approval writes whose record (status, path) Vault's log holds HMAC'd: while
   * signed in, read the very KV version each write created back from Vault (KV
   * versions never change), so the ledger knows what that identity wrote. Bounded:
   * 100 per call; a version Vault no longer has is retried after an hour.
   */
  resolveApprovalRecords(): Promise<void> {
    this.resolving ??= (async () => {
      if (!this.deps.session.info().signedIn) return;
      const bounds = this.deps.repo.timeBounds();
      if (!bounds) return;
      const now = this.deps.clock.now();
      const todo = this.deps.repo
        .approvalWrites(bounds.max, ALERT_SCAN_LIMIT)
        .filter((e) => e.status === 'ok' && e.approvalWrite && e.approvalWrite.version !== null && (e.approvalWrite.recordStatus === null || e.approvalWrite.recordPath === null))
        .filter((e) => now - (this.unavailable.get(e.id) ?? -Infinity) > 3_600_000)
        .slice(0, 100);
      if (todo.length === 0) return;
      const client = this.deps.session.requireClient();
      const ns = (this.deps.namespace?.() ?? '').replace(/^\/+|\/+$/g, '');
      for (const e of todo) {
        const w = e.approvalWrite!;
        let mount = w.mount;
        if (ns) {
          if (!mount.startsWith(`${ns}/`)) continue;
          mount = mount.slice(ns.length + 1);
        }
        try {
          const r = await client.request<{ data?: { data?: Record<string, unknown> | null } }>('GET', `${mount}data/requests/${encodeKvPath(w.approvalId)}?version=${w.version}`);
          const rec = r?.data?.data;
          if (!rec) {
            this.unavailable.set(e.id, now);
            continue;
          }
          const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 1024) : null);
          this.deps.repo.setApprovalWrite(e.id, { ...w, recordStatus: str(rec.status), recordPath: str(rec.path), readFromVault: true });
        } catch (err) {
          if (err instanceof AppError && (err.code === 'NOT_FOUND' || err.code === 'PERMISSION_DENIED')) this.unavailable.set(e.id, now);
          else throw err;
        }
      }
    })().finally(() => {
      this.resolving = null;
    });
    return this.resolving;
  }
}
