// The audit feature's entry point for handlers and the CLI: storage, live tail,
// imports, alerts, exports, the console's own records and deletion approvals.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AlertSettings, AuditAlertView, AuditFilter, ImportReport, StreamStatus } from '../../../shared/contracts/audit';
import { AppError } from '../../../shared/errors';
import type { Logger } from '../log/logger';
import type { SessionInfo } from '../session/session-types';
import { AuditRepo, parseFilterTime } from '../storage/audit-repo';
import type { SqlDatabase } from '../storage/database';
import type { SettingsRepo } from '../storage/settings-repo';
import type { Clock } from '../time/clock';
import type { VaultClient } from '../vault/vault-client';
import {
  candidateUtcHours,
  DEFAULT_ALERT_SETTINGS,
  detectBulkReads,
  detectFailedAuth,
  detectOffHours,
  detectUnapprovedDeletes,
  isValidTimeZone,
  sortAlerts,
} from './alert-detector';
import { DeletionApprovals } from './approvals';
import { AuditArchiver } from './audit-archiver';
import { exportAudit, type ExportFormat, type ExportResult } from './audit-exporter';
import { importAuditFile } from './audit-importer';
import { AuditRecorder } from './audit-recorder';
import { AuditTailer, DEFAULT_POLL_MS } from './audit-tailer';

export const COUNT_CAP = 100_000;
const ALERT_SCAN_LIMIT = 500_000;
const DEFAULT_ALERT_DAYS = 30;
const SETTINGS_KEY = 'audit.alerts';
const TAIL_PATH_KEY = 'audit.logPath';

export interface AuditServiceDeps {
  db: SqlDatabase;
  settings: SettingsRepo;
  clock: Clock;
  log: Logger;
  dataDir: string;
  session: { info(): SessionInfo; requireClient(): VaultClient };
  kvMount: () => string;
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

  constructor(private readonly deps: AuditServiceDeps) {
    this.repo = new AuditRepo(deps.db, () => new Date(deps.clock.now()));
    this.recorder = new AuditRecorder(this.repo, deps.clock, () => {
      const s = deps.session.info();
      return { user: s.username ?? s.displayName ?? 'unknown' };
    });
    this.approvals = new DeletionApprovals({
      client: () => deps.session.requireClient(),
      session: () => deps.session.info(),
      recorder: this.recorder,
      clock: deps.clock,
      log: deps.log,
      kvMount: deps.kvMount,
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
      return { ...DEFAULT_ALERT_SETTINGS, ...(JSON.parse(raw) as Partial<AlertSettings>) };
    } catch {
      return { ...DEFAULT_ALERT_SETTINGS };
    }
  }

  setAlertSettings(s: AlertSettings): AlertSettings {
    if (!isValidTimeZone(s.timeZone)) throw new AppError('BAD_INPUT', `Unknown time zone ${JSON.stringify(s.timeZone.slice(0, 64))}.`);
    if (s.offHoursStart === s.offHoursEnd) throw new AppError('BAD_INPUT', 'Off-hours start and end must differ.');
    this.deps.settings.set(SETTINGS_KEY, JSON.stringify(s));
    return s;
  }

  private alertCache: { key: string; at: number; alerts: AuditAlertView[] } | null = null;

  /**
   * Alerts over the filter's date range (default: the last 30 days of data). The
   * viewer asks for counts and alerts on every 5 s refresh: one computation serves
   * both for a couple of seconds.
   */
  alerts(filter: AuditFilter, settings = this.alertSettings()): AuditAlertView[] {
    const key = JSON.stringify([filter, settings]);
    const now = this.deps.clock.now();
    if (this.alertCache && this.alertCache.key === key && now - this.alertCache.at < 2_000) return this.alertCache.alerts;
    const alerts = this.computeAlerts(filter, settings);
    this.alertCache = { key, at: now, alerts };
    return alerts;
  }

  private computeAlerts(filter: AuditFilter, settings: AlertSettings): AuditAlertView[] {
    const bounds = this.repo.timeBounds();
    if (!bounds) return [];
    const to = parseFilterTime(filter.to, 'to') ?? bounds.max;
    const from = parseFilterTime(filter.from, 'from') ?? Math.max(bounds.min, to - DEFAULT_ALERT_DAYS * 86_400_000);
    const failed = this.repo.byAction('failed-login', from, to, ALERT_SCAN_LIMIT);
    const reads = this.repo.byAction('read', from, to, ALERT_SCAN_LIMIT);
    const deletes = this.repo.byAction('delete', from, to, ALERT_SCAN_LIMIT);
    const approves = this.repo.byAction('approve', 0, to, ALERT_SCAN_LIMIT);
    const offHours = this.repo.tenantAccessInHours(candidateUtcHours(settings), from, to, ALERT_SCAN_LIMIT);
    // An approval counts when the audit trail shows it granted by someone other
    // than the person who deleted (four eyes), before the delete.
    const approvedBy = new Map<string, { user: string; ts: number }[]>();
    for (const a of approves) {
      if (!a.approvalId || a.status !== 'ok') continue;
      const list = approvedBy.get(a.approvalId) ?? [];
      list.push({ user: a.user, ts: a.ts });
      approvedBy.set(a.approvalId, list);
    }
    const deleteAlerts = detectUnapprovedDeletes(
      deletes.filter((d) => !(d.approvalId && (approvedBy.get(d.approvalId) ?? []).some((a) => a.user !== d.user && a.ts <= d.ts))),
      () => false,
    );
    let alerts = [...detectFailedAuth(failed, settings), ...detectBulkReads(reads, settings), ...detectOffHours(offHours, settings), ...deleteAlerts];
    // The viewer's other filters narrow alerts to those touching the filtered user/tenant.
    if (filter.user) alerts = alerts.filter((a) => a.subject === filter.user || a.title.includes(filter.user!));
    return sortAlerts(alerts);
  }

  // ---- live stream ----

  streamStatus(): StreamStatus {
    const t = this.tailer;
    return {
      running: t?.isRunning ?? false,
      path: t?.path ?? this.deps.settings.get(TAIL_PATH_KEY) ?? null,
      origin: t ? this.tailOrigin : 'none',
      pollMs: t?.pollMs ?? this.deps.pollMs ?? DEFAULT_POLL_MS,
      lastPollAt: t?.stats.lastPollAt ? new Date(t.stats.lastPollAt).toISOString() : null,
      ingested: t?.stats.ingested ?? 0,
      skipped: t?.stats.skipped ?? 0,
      rotations: t?.stats.rotations ?? 0,
      lastError: t?.stats.lastError ?? null,
    };
  }

  async startStream(path?: string): Promise<StreamStatus> {
    let target = path;
    let origin: StreamStatus['origin'] = 'configured';
    target ??= this.deps.settings.get(TAIL_PATH_KEY);
    if (!target) {
      target = await this.discoverAuditFile();
      origin = 'sys-audit';
    }
    if (this.tailer && this.tailer.path === target && this.tailer.isRunning) return this.streamStatus();
    await this.tailer?.stop();
    if (path) this.deps.settings.set(TAIL_PATH_KEY, path);
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

  async importFiles(paths: readonly string[]): Promise<ImportReport[]> {
    const reports: ImportReport[] = [];
    for (const p of paths) {
      const r = await importAuditFile(this.repo, p);
      this.deps.log.info(`import ${r.outcome}: ${r.inserted} new events`);
      reports.push(r);
    }
    return reports;
  }

  async exportTo(filter: AuditFilter, format: ExportFormat, path: string): Promise<ExportResult> {
    return exportAudit(this.repo, filter, format, path, new Date(this.deps.clock.now()));
  }

  async exportNamed(filter: AuditFilter, format: ExportFormat, fileName: string): Promise<ExportResult> {
    await mkdir(this.exportDir, { recursive: true, mode: 0o700 });
    const ext = format === 'csv' ? '.csv' : format === 'json' ? '.json' : '.ndjson';
    const name = fileName.endsWith(ext) ? fileName : `${fileName}${ext}`;
    return this.exportTo(filter, format, join(this.exportDir, name));
  }

  async dispose(): Promise<void> {
    await this.tailer?.stop();
  }
}
