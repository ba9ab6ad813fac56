// The alert rules over an audit source (the local store or VictoriaLogs): gathers Vault's record of each kind of
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
import { detectAlerts, type DetectorInput } from './alert-detector';
import type { AuditEventSource } from '../audit-source/audit-source';
import { ALERT_SCAN_LIMIT, LocalAuditSource, localDetectorInput } from '../audit-source/local-source';

export { ALERT_SCAN_LIMIT };
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
  /** Where events are read (the active profile's audit source); absent: the local store. */
  source?: () => AuditEventSource;
}

/**
 * Evidence before the range still counts: an approval used by a delete just before
 * `from`, the first half of a bulk, the day of wide reads. The rules look back over
 * their longest window; alerts that end inside the range are listed.
 */
function lookbackMs(settings: AlertSettings): number {
  return Math.max(86_400_000, settings.approvalValidHours * 3_600_000, settings.failedAuthWindowMinutes * 60_000, settings.bulkReadWindowSeconds * 1000);
}

export class AuditAlerts {
  constructor(private readonly deps: AuditAlertsDeps) {}

  private alertCache: { of: object; key: string; version: number; at: number; tookMs: number; alerts: AuditAlertView[]; partialSince: string | null } | null = null;

  private source(): AuditEventSource {
    return this.deps.source?.() ?? (this.localSource ??= new LocalAuditSource(this.deps.repo));
  }

  private localSource: LocalAuditSource | undefined;

  /**
   * Alerts over the filter's date range (default: the last 30 days of data), red
   * first, newest first; at most `limit` listed, all counted, from the active audit
   * source. Each detector looks at the newest ALERT_SCAN_LIMIT events of its kind in
   * the range; where that cut something off, partialSince says from when the alerts
   * are complete. While signed in, approval records whose content Vault's log holds
   * HMAC'd are read back from Vault first (resolveApprovalRecords). The viewer asks on
   * every refresh: the answer is kept until events or settings change, and while events
   * stream in, a computation that took t ≥ 100 ms is reused for 10 t (2 s to 60 s), so
   * alerts never take more than a tenth of main's time.
   */
  async alerts(filter: AuditFilter, settings: AlertSettings, limit = ALERTS_LISTED): Promise<AlertsResult> {
    const source = this.source();
    await this.resolveApprovalRecords(source).catch((err: unknown) => {
      this.deps.log.warn(`approval records not read from Vault: ${err instanceof AppError ? err.code : 'error'}`);
    });
    const key = JSON.stringify([source.label, filter.from ?? null, filter.to ?? null, settings]);
    const version = source.version();
    const now = Date.now();
    if (!this.isFresh(source, key, version, now)) {
      const started = performance.now();
      const r = await this.compute(filter, settings, () => source.timeBounds(), (from, to) => source.detectorInput(from, to, settings));
      this.alertCache = { of: source, key, version, at: now, tookMs: performance.now() - started, ...r };
    }
    return this.answer(filter, limit);
  }

  /** The same from the local store only, synchronously (no Vault call, no other source): the headless watch service. */
  alertsNow(filter: AuditFilter, settings: AlertSettings, limit = ALERTS_LISTED): AlertsResult {
    const key = JSON.stringify(['local-sync', filter.from ?? null, filter.to ?? null, settings]);
    const version = this.deps.repo.version;
    const now = Date.now();
    if (!this.isFresh(this.deps.repo, key, version, now)) {
      const started = performance.now();
      const bounds = this.deps.repo.timeBounds();
      let r: { alerts: AuditAlertView[]; partialSince: string | null } = { alerts: [], partialSince: null };
      if (bounds) {
        const { from, to } = this.range(filter, bounds);
        const input = this.detectorInput(from - lookbackMs(settings), to, settings);
        r = { alerts: detectAlerts(input, settings).filter((a) => Date.parse(a.to) >= from), partialSince: input.partialSince };
      }
      this.alertCache = { of: this.deps.repo, key, version, at: now, tookMs: performance.now() - started, ...r };
    }
    return this.answer(filter, limit);
  }

  /**
   * The cached answer still stands: the same source object (a source replaced by another with
   * the same label, as when a profile's VictoriaLogs settings change, starts its versions
   * again), the same question, and no new events or only a paced while since.
   */
  private isFresh(of: object, key: string, version: number, now: number): boolean {
    // Wall time, not the injected clock: this paces CPU use, it is not a rule.
    const c = this.alertCache;
    const reuseMs = c && c.tookMs >= 100 ? Math.min(60_000, Math.max(2_000, c.tookMs * 10)) : 0;
    return !!c && c.of === of && c.key === key && (c.version === version || now - c.at < reuseMs);
  }

  private answer(filter: AuditFilter, limit: number): AlertsResult {
    // One meaning of the user filter everywhere: the exact normalised name, here one of the alert's users.
    const user = filter.user === undefined ? '' : normalizeUser(filter.user);
    const c = this.alertCache!;
    const all = user ? c.alerts.filter((a) => a.users.includes(user)) : c.alerts;
    return {
      computedAt: new Date(c.at).toISOString(),
      alerts: all.slice(0, limit),
      total: all.length,
      red: all.filter((a) => a.severity === 'red').length,
      yellow: all.filter((a) => a.severity === 'yellow').length,
      partialSince: c.partialSince,
    };
  }

  private range(filter: AuditFilter, bounds: { min: number; max: number }): { from: number; to: number } {
    const to = parseFilterTime(filter.to, 'to') ?? bounds.max;
    const from = parseFilterTime(filter.from, 'from') ?? Math.max(bounds.min, to - DEFAULT_ALERT_DAYS * 86_400_000);
    return { from, to };
  }

  private async compute(
    filter: AuditFilter,
    settings: AlertSettings,
    bounds: () => Promise<{ min: number; max: number } | null>,
    input: (from: number, to: number) => Promise<DetectorInput & { partialSince: string | null }>,
  ): Promise<{ alerts: AuditAlertView[]; partialSince: string | null }> {
    const b = await bounds();
    if (!b) return { alerts: [], partialSince: null };
    const { from, to } = this.range(filter, b);
    const i = await input(from - lookbackMs(settings), to);
    return { alerts: detectAlerts(i, settings).filter((a) => Date.parse(a.to) >= from), partialSince: i.partialSince };
  }

  /** What the detectors look at in [from, to] in the local store: Vault's record, bounded per kind. */
  detectorInput(from: number, to: number, settings: AlertSettings): DetectorInput & { partialSince: string | null } {
    return localDetectorInput(this.deps.repo, from, to, settings);
  }

  /** The read-back in flight, per source (a source switched to meanwhile gets its own). */
  private readonly resolving = new WeakMap<AuditEventSource, Promise<void>>();
  /** Approval writes (by event key, which a line cannot share with Vault's event) Vault did not give back, and when. */
  private readonly unavailable = new Map<string, number>();

  /**
   * Approval writes whose record (status, path) Vault's log holds HMAC'd: while
   * signed in, read the very KV version each write created back from Vault (KV
   * versions never change), so the ledger knows what that identity wrote. Bounded:
   * 100 per call; a version Vault no longer has is retried after an hour.
   */
  resolveApprovalRecords(source: AuditEventSource = this.source()): Promise<void> {
    const running = this.resolving.get(source);
    if (running) return running;
    if (this.unavailable.size > 100_000) this.unavailable.clear();
    const p = (async () => {
      if (!this.deps.session.info().signedIn) return;
      const bounds = await source.timeBounds();
      if (!bounds) return;
      const now = this.deps.clock.now();
      const todo = (await source.approvalWrites(bounds.max, ALERT_SCAN_LIMIT))
        .filter((e) => e.status === 'ok' && e.approvalWrite && e.approvalWrite.version !== null && (e.approvalWrite.recordStatus === null || e.approvalWrite.recordPath === null))
        .filter((e) => now - (this.unavailable.get(e.key) ?? -Infinity) > 3_600_000)
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
            this.unavailable.set(e.key, now);
            continue;
          }
          const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 1024) : null);
          source.setApprovalWrite(e, { ...w, recordStatus: str(rec.status), recordPath: str(rec.path), readFromVault: true });
        } catch (err) {
          if (err instanceof AppError && (err.code === 'NOT_FOUND' || err.code === 'PERMISSION_DENIED')) this.unavailable.set(e.key, now);
          else throw err;
        }
      }
    })().finally(() => {
      this.resolving.delete(source);
    });
    this.resolving.set(source, p);
    return p;
  }
}
