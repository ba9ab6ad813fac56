// The audit feature's entry point for handlers and the CLI: storage, live tail,
// imports, alerts, exports, the console's own records and deletion approvals.
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  AlertSettings,
  AuditAlertView,
  AuditArchivesView,
  AuditFilter,
  ImportReport,
  MaintenanceStatus,
  RetentionPolicy,
  StreamStatus,
} from '../../../shared/contracts/audit';
import { normalizeUser } from '../../../shared/contracts/audit';
import { AppError } from '../../../shared/errors';
import type { Logger } from '../log/logger';
import type { SessionInfo } from '../session/session-types';
import { AuditRepo, parseFilterTime } from '../storage/audit-repo';
import type { SqlDatabase } from '../storage/database';
import type { SettingsRepo } from '../storage/settings-repo';
import type { Clock, TimerHandle } from '../time/clock';
import type { VaultClient } from '../vault/vault-client';
import { candidateUtcHours, DEFAULT_ALERT_SETTINGS, detectAlerts, type DetectorInput } from './alert-detector';
import { checkAuditFile, type AuditFilePicker } from './audit-files';
import { DeletionApprovals } from './approvals';
import { AuditArchiver, DEFAULT_RETENTION, monthLabel } from './audit-archiver';
import { exportAudit, type ExportFormat, type ExportResult } from './audit-exporter';
import { importAuditFile } from './audit-importer';
import { AuditRecorder } from './audit-recorder';
import { AuditTailer, DEFAULT_POLL_MS } from './audit-tailer';
import { isTimeZone, POLICY_NAME_RE } from '../../../shared/audit/audit-rules';
import { encodeKvPath } from '../vault/kv';

export const COUNT_CAP = 100_000;
/** The retention run: shortly after start, then daily. */
export const MAINTENANCE_START_DELAY_MS = 10_000;
export const MAINTENANCE_INTERVAL_MS = 86_400_000;
/** An import that added this many events refreshes the query planner's statistics. */
const ANALYZE_AFTER_INSERTS = 10_000;
/** Events of each kind a detector looks at (the newest in the range): bounds the work at millions of events. */
export const ALERT_SCAN_LIMIT = 100_000;
/** Alerts listed per answer (all are counted). */
export const ALERTS_LISTED = 200;

export interface AlertsResult {
  alerts: AuditAlertView[];
  total: number;
  red: number;
  yellow: number;
  /** Set when a detector's scan stopped at ALERT_SCAN_LIMIT: alerts are complete from this time on. */
  partialSince: string | null;
  computedAt: string;
}
const DEFAULT_ALERT_DAYS = 30;
const SETTINGS_KEY = 'audit.alerts';
// Since migration 10 the followed file is chosen in main; the old key ('audit.logPath') may
// hold a path a renderer sent, so it is never read again.
const TAIL_PATH_KEY = 'audit.followedFile';
const RETENTION_KEY = 'audit.retention';

function parseMonth(label: string): number {
  const m = /^(\d{4})-(\d{2})$/.exec(label);
  const month = m ? Number(m[2]) : 0;
  if (!m || month < 1 || month > 12) throw new AppError('BAD_INPUT', `${JSON.stringify(label.slice(0, 20))} is not a month (YYYY-MM).`);
  return Number(m[1]) * 100 + month;
}

export interface AuditServiceDeps {
  db: SqlDatabase;
  settings: SettingsRepo;
  clock: Clock;
  log: Logger;
  dataDir: string;
  session: { info(): SessionInfo; requireClient(): VaultClient };
  kvMount: () => string;
  /** The connection's namespace ("" at the root): approval records are read relative to it. */
  namespace?: () => string;
  /** Main's file dialogs (Electron) or a test's choice (harness); absent: files can only be named on the CLI. */
  files?: AuditFilePicker;
  onStreamUpdate?: (status: StreamStatus) => void;
  pollMs?: number;
}

export class AuditService {
  readonly repo: AuditRepo;
  readonly recorder: AuditRecorder;
  readonly approvals: DeletionApprovals;
  readonly archiver: AuditArchiver;
  private tailer: AuditTailer | null = null;
  private tailOrigin: StreamStatus['origin'] = 'none';
  private maintenanceTimer: TimerHandle | undefined;
  private maintenanceRun: Promise<void> | null = null;
  private maintenanceStopped = true;
  private maintenance: MaintenanceStatus = { lastRunAt: null, nextRunAt: null, lastArchived: [], lastDropped: [], lastError: null };

  constructor(private readonly deps: AuditServiceDeps) {
    this.repo = new AuditRepo(deps.db, () => new Date(deps.clock.now()));
    this.recorder = new AuditRecorder(this.repo, deps.clock, () => {
      const s = deps.session.info();
      return { user: s.username ?? s.displayName ?? 'unknown', entityId: s.entityId };
    });
    this.approvals = new DeletionApprovals({
      client: () => deps.session.requireClient(),
      session: () => deps.session.info(),
      recorder: this.recorder,
      clock: deps.clock,
      log: deps.log,
      kvMount: deps.kvMount,
      validForMs: () => this.alertSettings().approvalValidHours * 3_600_000,
    });
    this.archiver = new AuditArchiver(this.repo, join(deps.dataDir, 'audit-archive'));
  }

  get exportDir(): string {
    return join(this.deps.dataDir, 'exports');
  }

  alertSettings(): AlertSettings {
    const raw = this.deps.settings.get(SETTINGS_KEY);
    if (!raw) return { ...DEFAULT_ALERT_SETTINGS };
    try {
      const stored = JSON.parse(raw) as Partial<AlertSettings>;
      const merged = { ...DEFAULT_ALERT_SETTINGS, ...stored };
      // A setting saved by an older version, or edited by hand, never weakens a rule silently.
      if (typeof merged.approverPolicy !== 'string' || !POLICY_NAME_RE.test(merged.approverPolicy) || merged.approverPolicy === 'root') merged.approverPolicy = DEFAULT_ALERT_SETTINGS.approverPolicy;
      return merged;
    } catch {
      return { ...DEFAULT_ALERT_SETTINGS };
    }
  }

  /** The app's form and the CLI both end here (after validateAlertForm): the same checks again. */
  setAlertSettings(s: AlertSettings): AlertSettings {
    if (!isTimeZone(s.timeZone)) throw new AppError('BAD_INPUT', `${JSON.stringify(s.timeZone.slice(0, 64))} is not a time zone; use an IANA name such as Europe/Berlin or UTC.`);
    if (s.offHoursStart === s.offHoursEnd) throw new AppError('BAD_INPUT', 'Off-hours start and end must differ.');
    if (!POLICY_NAME_RE.test(s.approverPolicy) || s.approverPolicy === 'root') throw new AppError('BAD_INPUT', `${JSON.stringify(s.approverPolicy.slice(0, 64))} is not a policy name an approver can hold (letters, digits, . _ -; not root).`);
    this.deps.settings.set(SETTINGS_KEY, JSON.stringify(s));
    return s;
  }

  // ---- retention ----

  retentionPolicy(): RetentionPolicy {
    const raw = this.deps.settings.get(RETENTION_KEY);
    if (!raw) return { ...DEFAULT_RETENTION };
    try {
      return { ...DEFAULT_RETENTION, ...(JSON.parse(raw) as Partial<RetentionPolicy>) };
    } catch {
      return { ...DEFAULT_RETENTION };
    }
  }

  setRetentionPolicy(p: RetentionPolicy): RetentionPolicy {
    if (p.archiveAfterMonths >= p.retentionYears * 12) {
      throw new AppError('BAD_INPUT', `Months are deleted after ${p.retentionYears} years; archive them sooner than that (fewer than ${p.retentionYears * 12} months).`);
    }
    this.deps.settings.set(RETENTION_KEY, JSON.stringify(p));
    this.deps.log.info(`retention policy: archive after ${p.archiveAfterMonths} months, delete after ${p.retentionYears} years`);
    return p;
  }

  /** Runs the retention policy shortly after start and then every day, until dispose(). */
  startMaintenance(): void {
    if (!this.maintenanceStopped) return;
    this.maintenanceStopped = false;
    this.scheduleMaintenance(MAINTENANCE_START_DELAY_MS);
  }

  private scheduleMaintenance(ms: number): void {
    if (this.maintenanceStopped) return;
    this.maintenance.nextRunAt = new Date(this.deps.clock.now() + ms).toISOString();
    this.maintenanceTimer = this.deps.clock.setTimeout(() => {
      void this.runMaintenance().finally(() => this.scheduleMaintenance(MAINTENANCE_INTERVAL_MS));
    }, ms);
  }

  /** One retention run (archive old months, delete expired ones) plus fresh planner statistics. */
  runMaintenance(): Promise<void> {
    this.maintenanceRun ??= (async () => {
      const now = new Date(this.deps.clock.now());
      try {
        const r = await this.archiver.apply(now, this.retentionPolicy());
        if (r.archived.length || r.dropped.length) this.repo.pruneTerms();
        this.repo.maintain();
        this.maintenance = { ...this.maintenance, lastRunAt: now.toISOString(), lastArchived: r.archived.map(monthLabel), lastDropped: r.dropped.map(monthLabel), lastError: null };
        if (r.archived.length || r.dropped.length) this.deps.log.info(`retention: archived ${r.archived.map(monthLabel).join(', ') || 'none'}; deleted ${r.dropped.map(monthLabel).join(', ') || 'none'}`);
      } catch (err) {
        const message = err instanceof AppError ? err.message : 'The retention run failed.';
        this.maintenance = { ...this.maintenance, lastRunAt: now.toISOString(), lastError: message };
        this.deps.log.warn(`retention run failed: ${message}`);
      }
    })().finally(() => {
      this.maintenanceRun = null;
    });
    return this.maintenanceRun;
  }

  /** Resolves when no retention run is in progress. */
  async maintenanceIdle(): Promise<void> {
    await this.maintenanceRun;
  }

  maintenanceStatus(): MaintenanceStatus {
    return { ...this.maintenance };
  }

  async archives(): Promise<AuditArchivesView> {
    const months = await this.archiver.list();
    return {
      archiveDir: this.archiver.dir,
      months: months.map((m) => ({ month: m.label, state: m.state, events: m.events, archiveFile: m.archiveFile, sha256: m.sha256, archivedAt: m.archivedAt })),
      policy: this.retentionPolicy(),
      maintenance: this.maintenanceStatus(),
    };
  }

  async archiveMonth(label: string): Promise<AuditArchivesView> {
    const month = parseMonth(label);
    const entry = await this.archiver.archive(month, new Date(this.deps.clock.now()));
    this.repo.pruneTerms();
    this.deps.log.info(`archived ${label}: ${entry.events} events, sha256 ${entry.sha256.slice(0, 12)}…`);
    return this.archives();
  }

  async reopenMonth(label: string): Promise<AuditArchivesView & { report: ImportReport }> {
    const report = await this.archiver.reopen(parseMonth(label));
    this.deps.log.info(`reopened ${label}: ${report.inserted} events loaded back`);
    return { ...(await this.archives()), report };
  }

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
  async alerts(filter: AuditFilter, settings = this.alertSettings(), limit = ALERTS_LISTED): Promise<AlertsResult> {
    await this.resolveApprovalRecords().catch((err: unknown) => {
      this.deps.log.warn(`approval records not read from Vault: ${err instanceof AppError ? err.code : 'error'}`);
    });
    return this.alertsNow(filter, settings, limit);
  }

  /** The same from the local store only (no Vault call). */
  alertsNow(filter: AuditFilter, settings = this.alertSettings(), limit = ALERTS_LISTED): AlertsResult {
    // The user filter only narrows the finished list (below): it is not part of the key.
    const key = JSON.stringify([filter.from ?? null, filter.to ?? null, settings]);
    const version = this.repo.version;
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
    const failed = this.repo.byAction('failed-login', from, to, ALERT_SCAN_LIMIT);
    const reads = this.repo.byAction('read', from, to, ALERT_SCAN_LIMIT, { tenantOnly: true });
    const deletes = this.repo.byAction('delete', from, to, ALERT_SCAN_LIMIT, { tenantOnly: true });
    const offHours = this.repo.tenantAccessInHours(candidateUtcHours(settings), from, to, ALERT_SCAN_LIMIT);
    const conflicts = this.repo.headerConflicts(from, to, ALERT_SCAN_LIMIT);
    const critical = this.repo.byAction('sys-critical', from, to, ALERT_SCAN_LIMIT);
    const decrypts = this.repo.byAction('decrypt', from, to, ALERT_SCAN_LIMIT);
    // Approvals may be older than the range: everything up to its end.
    const approvalWrites = this.repo.approvalWrites(to, ALERT_SCAN_LIMIT);
    const unclassified = this.repo.unclassified(from, to, ALERT_SCAN_LIMIT);
    const entities = new Set<string>();
    for (const list of [reads, offHours, conflicts, critical, decrypts]) for (const e of list) if (e.entityId) entities.add(e.entityId);
    const entityNames = this.repo.entityNames([...entities]);
    const cut = [failed, reads, deletes, offHours, conflicts, critical, decrypts].filter((l) => l.capped && l.length > 0).map((l) => l[0]!.ts);
    return { failed, reads, deletes, offHours, conflicts, critical, decrypts, approvalWrites, unclassified, entityNames, partialSince: cut.length ? new Date(Math.max(...cut)).toISOString() : null };
  }

  private computeAlerts(filter: AuditFilter, settings: AlertSettings): { alerts: AuditAlertView[]; partialSince: string | null } {
    const bounds = this.repo.timeBounds();
    if (!bounds) return { alerts: [], partialSince: null };
    const to = parseFilterTime(filter.to, 'to') ?? bounds.max;
    const from = parseFilterTime(filter.from, 'from') ?? Math.max(bounds.min, to - DEFAULT_ALERT_DAYS * 86_400_000);
    const input = this.detectorInput(from, to, settings);
    return { alerts: detectAlerts(input, settings), partialSince: input.partialSince };
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
      const bounds = this.repo.timeBounds();
      if (!bounds) return;
      const now = this.deps.clock.now();
      const todo = this.repo
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
          this.repo.setApprovalWrite(e.id, { ...w, recordStatus: str(rec.status), recordPath: str(rec.path), readFromVault: true });
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

  // ---- live stream ----

  streamStatus(): StreamStatus {
    const t = this.tailer;
    return {
      running: t?.isRunning ?? false,
      path: t?.path ?? (this.deps.settings.get(TAIL_PATH_KEY) || null),
      origin: t ? this.tailOrigin : 'none',
      pollMs: t?.pollMs ?? this.deps.pollMs ?? DEFAULT_POLL_MS,
      lastPollAt: t?.stats.lastPollAt ? new Date(t.stats.lastPollAt).toISOString() : null,
      ingested: t?.stats.ingested ?? 0,
      skipped: t?.stats.skipped ?? 0,
      rotations: t?.stats.rotations ?? 0,
      lastError: t?.stats.lastError ?? null,
      warnings: t?.stats.warnings ?? [],
    };
  }

  /**
   * Starts tailing. The path is never the renderer's: 'choose' asks main's file
   * dialog (and keeps the choice), 'sys-audit' takes the file device Vault reports;
   * without a source, the file chosen before, else sys/audit. Checked before use
   * (a regular file; symlinks resolved), and again at every open by the tailer.
   */
  async startStream(source?: 'choose' | 'sys-audit'): Promise<StreamStatus> {
    let target: string | undefined;
    let origin: StreamStatus['origin'] = 'configured';
    if (source === 'choose') {
      if (!this.deps.files) throw new AppError('INTERNAL', 'No file dialog is available in this shell.');
      const picked = await this.deps.files.pickLogFile();
      if (!picked) return this.streamStatus();
      await checkAuditFile(picked);
      this.deps.settings.set(TAIL_PATH_KEY, picked);
      target = picked;
    } else if (source === undefined) {
      target = this.deps.settings.get(TAIL_PATH_KEY) || undefined;
    } else {
      // Vault's own file device from now on: forget a file chosen before.
      this.deps.settings.set(TAIL_PATH_KEY, '');
    }
    if (!target) {
      target = await this.discoverAuditFile();
      origin = 'sys-audit';
      await checkAuditFile(target);
    }
    if (this.tailer && this.tailer.path === target && this.tailer.isRunning) return this.streamStatus();
    await this.tailer?.stop();
    this.tailOrigin = origin;
    this.tailer = new AuditTailer(target, {
      repo: this.repo,
      clock: this.deps.clock,
      log: this.deps.log,
      ...(this.deps.pollMs ? { pollMs: this.deps.pollMs } : {}),
      onPoll: () => this.deps.onStreamUpdate?.(this.streamStatus()),
    });
    this.tailer.start();
    await this.tailer.poll();
    this.deps.log.info(`live stream started (${origin})`);
    return this.streamStatus();
  }

  async stopStream(): Promise<StreamStatus> {
    await this.tailer?.stop();
    return this.streamStatus();
  }

  /** The path of Vault's file audit device, from sys/audit (needs read+sudo on sys/audit). */
  private async discoverAuditFile(): Promise<string> {
    const client = this.deps.session.requireClient();
    const r = await client.request<Record<string, { type?: string; options?: { file_path?: string } }> & { data?: Record<string, { type?: string; options?: { file_path?: string } }> }>('GET', 'sys/audit');
    const devices = (r.data ?? r) as Record<string, { type?: string; options?: { file_path?: string } }>;
    for (const d of Object.values(devices)) {
      const p = d?.type === 'file' ? d.options?.file_path : undefined;
      if (p && p !== 'stdout' && p !== 'discard') return p;
    }
    throw new AppError('NOT_FOUND', 'Vault has no file audit device; configure the audit log path instead.');
  }

  // ---- import / export ----

  /** Files named on the CLI (main's own caller), each checked like a dialog's choice. */
  async importFiles(paths: readonly string[]): Promise<ImportReport[]> {
    const reports: ImportReport[] = [];
    for (const p of paths) {
      const r = await importAuditFile(this.repo, p);
      this.deps.log.info(`import ${r.outcome}: ${r.inserted} new events`);
      reports.push(r);
    }
    // A big import changes the shape of the data: the planner needs to know.
    if (reports.reduce((n, r) => n + r.inserted, 0) >= ANALYZE_AFTER_INSERTS || !this.repo.analyzed()) this.repo.maintain();
    return reports;
  }

  /** The renderer asks to import; main's file dialog picks the files. */
  async importChosen(): Promise<{ reports: ImportReport[]; cancelled: boolean }> {
    if (!this.deps.files) throw new AppError('INTERNAL', 'No file dialog is available in this shell.');
    const picked = (await this.deps.files.pickImportFiles()).slice(0, 100);
    if (picked.length === 0) return { reports: [], cancelled: true };
    return { reports: await this.importFiles(picked), cancelled: false };
  }

  async exportTo(filter: AuditFilter, format: ExportFormat, path: string): Promise<ExportResult> {
    return exportAudit(this.repo, filter, format, path, new Date(this.deps.clock.now()));
  }

  /** Into the console's export folder, under a name main chooses (the renderer names no file). */
  async exportNamed(filter: AuditFilter, format: ExportFormat): Promise<ExportResult> {
    await mkdir(this.exportDir, { recursive: true, mode: 0o700 });
    const ext = format === 'csv' ? '.csv' : format === 'json' ? '.json' : '.ndjson';
    const stamp = new Date(this.deps.clock.now()).toISOString().replace(/[:.]/g, '-');
    return this.exportTo(filter, format, join(this.exportDir, `audit-${stamp}-${randomBytes(2).toString('hex')}${ext}`));
  }

  async dispose(): Promise<void> {
    this.maintenanceStopped = true;
    this.deps.clock.clearTimeout(this.maintenanceTimer);
    await this.maintenanceRun;
    await this.tailer?.stop();
  }
}
