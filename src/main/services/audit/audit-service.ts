// The audit feature's entry point for handlers and the CLI: storage, live tail,
// imports, alerts, exports, the console's own records and deletion approvals.
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  AlertSettings,
  AuditArchivesView,
  AuditFilter,
  ImportReport,
  MaintenanceStatus,
  RetentionPolicy,
  StreamStatus,
} from '../../../shared/contracts/audit';
import { AppError } from '../../../shared/errors';
import type { Logger } from '../log/logger';
import type { SessionInfo } from '../session/session-types';
import { AuditRepo } from '../storage/audit-repo';
import type { SqlDatabase } from '../storage/database';
import type { SettingsRepo } from '../storage/settings-repo';
import type { Clock, TimerHandle } from '../time/clock';
import type { VaultClient } from '../vault/vault-client';
import { DEFAULT_ALERT_SETTINGS } from './alert-detector';
import { ALERTS_LISTED, AuditAlerts, type AlertsResult } from './audit-alerts';
import { checkAuditFile, type AuditFilePicker } from './audit-files';
import { DeletionApprovals } from './approvals';
import { AuditArchiver, DEFAULT_RETENTION, monthLabel } from './audit-archiver';
import { exportAudit, type ExportFormat, type ExportResult } from './audit-exporter';
import { importAuditFile } from './audit-importer';
import { AuditRecorder } from './audit-recorder';
import { AuditTailer, DEFAULT_POLL_MS } from './audit-tailer';
import { isTimeZone, POLICY_NAME_RE } from '../../../shared/audit/audit-rules';
import type { AuditEventSource } from '../audit-source/audit-source';
import { LocalAuditSource } from '../audit-source/local-source';

export { ALERT_SCAN_LIMIT, ALERTS_LISTED, type AlertsResult } from './audit-alerts';

export const COUNT_CAP = 100_000;
/** The retention run: shortly after start, then daily. */
export const MAINTENANCE_START_DELAY_MS = 10_000;
export const MAINTENANCE_INTERVAL_MS = 86_400_000;
/** An import that added this many events refreshes the query planner's statistics. */
const ANALYZE_AFTER_INSERTS = 10_000;

const SETTINGS_KEY = 'audit.alerts';
// Since migration 13 the followed file is chosen in main; the old key ('audit.logPath') may
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
  /** The active profile's audit source (the local store or VictoriaLogs); absent: the local store. */
  source?: () => AuditEventSource;
}

export class AuditService {
  readonly repo: AuditRepo;
  readonly recorder: AuditRecorder;
  readonly approvals: DeletionApprovals;
  readonly archiver: AuditArchiver;
  /** The alert rules over this store (also what the headless watch service uses). */
  readonly alerting: AuditAlerts;
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
    this.local = new LocalAuditSource(this.repo);
    this.alerting = new AuditAlerts({ repo: this.repo, session: deps.session, clock: deps.clock, log: deps.log, source: () => this.source(), ...(deps.namespace ? { namespace: deps.namespace } : {}) });
  }

  private readonly local: LocalAuditSource;

  /** Where the viewer, alerts and exports read events: the active profile's audit source. */
  source(): AuditEventSource {
    return this.deps.source?.() ?? this.local;
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

  /**
   * Alerts over the filter's date range; while signed in, approval records whose
   * content Vault's log holds HMAC'd are read back from Vault first (AuditAlerts).
   */
  alerts(filter: AuditFilter, settings = this.alertSettings(), limit = ALERTS_LISTED): Promise<AlertsResult> {
    return this.alerting.alerts(filter, settings, limit);
  }

  /** The same from the local store only (no Vault call). */
  alertsNow(filter: AuditFilter, settings = this.alertSettings(), limit = ALERTS_LISTED): AlertsResult {
    return this.alerting.alertsNow(filter, settings, limit);
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
    return exportAudit(this.source(), filter, format, path, new Date(this.deps.clock.now()));
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
