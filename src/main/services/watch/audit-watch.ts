// Vault's file audit log, tailed incrementally with the audit feature's own tailer
// and stored in the watcher's audit store; new events feed the counters, and the
// audit feature's detectors (the same rules and thresholds as the Audit view) decide
// the audit pages: one condition per rule, open while the rule's newest alert is
// recent, so a continuing attack stays one page.
import { stat } from 'node:fs/promises';
import type { AlertKind, AuditAlertView } from '../../../shared/contracts/audit';
import type { WatchCondition } from '../../../shared/contracts/watch';
import { AppError } from '../../../shared/errors';
import type { AuditService } from '../audit/audit-service';
import { AuditTailer } from '../audit/audit-tailer';
import type { Logger } from '../log/logger';
import type { Session } from '../session/session-types';
import type { WatchRepo } from '../storage/watch-repo';
import type { Clock } from '../time/clock';
import type { Pager } from './pager';
import type { WatchConfig } from './watch-config';
import { ALERT_RULES, type AlertRule, type WatchMetrics } from './watch-metrics';

/** How far back the detectors look on each evaluation. */
export const ALERT_LOOKBACK_MS = 2 * 3_600_000;
/** Events per read when counting (a burst is read in several passes). */
const COUNT_BATCH = 5_000;
/** Discrete rules (a deletion, an off-hours access) stay open this long after their last event. */
const DISCRETE_HOLD_MS = 3_600_000;

/**
 * Every detector kind's rule (a Record: a new kind in the audit feature fails the typecheck
 * until it is mapped here); null: not paged.
 */
const RULE_OF: Record<AlertKind, AlertRule | null> = {
  'failed-auth-user': 'failed-auth',
  'failed-auth-ip': 'failed-auth',
  'failed-auth-spray': 'failed-auth',
  'bulk-reads': 'bulk-reads',
  'wide-reads': 'wide-reads',
  'off-hours': 'off-hours',
  'delete-without-approval': 'delete-without-approval',
  'header-contradiction': 'header-contradiction',
  'sys-critical': 'sys-critical',
  'key-decrypt': 'key-decrypt',
  // Events stored before Vault's record decided the action: a note about the local store
  // (re-import those logs), not something Vault saw happen; the Audit view shows it.
  'unclassified-events': null,
};

export function ruleOf(kind: AuditAlertView['kind']): AlertRule | null {
  return RULE_OF[kind];
}

export interface AuditWatchDeps {
  audit: AuditService;
  repo: WatchRepo;
  metrics: WatchMetrics;
  pager: Pager;
  clock: Clock;
  log: Logger;
  session: Session;
  config: Pick<WatchConfig, 'auditLog' | 'auditPollMs' | 'severities' | 'kvMount'>;
  /** Called once the log's path is known and tailed (-forward-victorialogs forwards that file). */
  onTail?: (path: string) => void;
}

export class AuditWatch {
  private tailer: AuditTailer | null = null;
  private cursor: number;
  private seenAlerts = new Set<string>();
  private lastProblem: string | null = null;
  private lastVersion = -1;
  /** The evaluation in progress (one at a time) and whether another was asked for meanwhile. */
  private evaluating: Promise<void> | null = null;
  private evaluateAgain = false;

  constructor(private readonly deps: AuditWatchDeps) {
    // Counters start at this run: events stored before it were counted by an earlier run.
    this.cursor = deps.repo.maxAuditId();
  }

  get path(): string | null {
    return this.tailer?.path ?? null;
  }

  get enabled(): boolean {
    return this.deps.config.auditLog !== 'none';
  }

  get up(): boolean {
    return this.tailer !== null && this.tailer.isRunning && this.tailer.stats.lastError === null;
  }

  /** Starts the tailer once the log's path is known (from the config, or from sys/audit when Vault answers). */
  async ensureTailer(): Promise<void> {
    if (this.tailer || !this.enabled) return;
    let path = this.deps.config.auditLog;
    try {
      if (path === 'discover') path = await this.discover();
    } catch (err) {
      const why = err instanceof AppError ? err.message : 'cannot ask Vault for its audit devices';
      if (why !== this.lastProblem) this.deps.log.warn(`audit log not tailed yet: ${why}`);
      this.lastProblem = why;
      this.deps.metrics.auditTail(false);
      return;
    }
    const repo = this.deps.audit.repo;
    if (!repo.getTailState(path)) {
      // First run: start at the end; the history is the Audit view's business, not a page.
      const st = await stat(path).catch(() => null);
      if (st) repo.setTailState(path, st.ino, st.size);
    }
    this.tailer = new AuditTailer(path, {
      repo,
      clock: this.deps.clock,
      log: this.deps.log,
      pollMs: this.deps.config.auditPollMs,
      onPoll: () => {
        try {
          this.process();
        } catch (err) {
          this.deps.metrics.error('audit');
          this.deps.log.warn(`audit evaluation failed: ${err instanceof Error ? err.message : 'error'}`);
        }
      },
    });
    this.tailer.start();
    this.lastProblem = null;
    this.deps.log.info(`tailing Vault's audit log ${path} every ${this.deps.config.auditPollMs / 1000}s`);
    this.deps.onTail?.(path);
  }

  private async discover(): Promise<string> {
    const client = this.deps.session.requireClient();
    type Device = { type?: string; options?: { file_path?: string } };
    const r = await client.request<Record<string, Device> & { data?: Record<string, Device> }>('GET', 'sys/audit');
    for (const d of Object.values((r.data ?? r) as Record<string, Device>)) {
      const p = d?.type === 'file' ? d.options?.file_path : undefined;
      if (p && p !== 'stdout' && p !== 'discard') return p;
    }
    throw new AppError('NOT_FOUND', 'Vault has no file audit device; set -audit-log to the log path, or none');
  }

  /** Reads what the log has now (used right before deciding whether a seal was announced). */
  async pollNow(): Promise<void> {
    await this.tailer?.poll();
    this.process();
  }

  /**
   * Counts new events; re-evaluates the rules (in the background, one evaluation at a
   * time) when events arrived, a rule's page is open or the store changed.
   */
  process(): void {
    const { repo, metrics } = this.deps;
    metrics.auditTail(this.up);
    let added = 0;
    for (;;) {
      const batch = repo.eventsAfter(this.cursor, COUNT_BATCH);
      if (batch.length === 0) break;
      metrics.auditBatch(batch, this.deps.config.kvMount);
      this.cursor = batch.at(-1)!.id;
      added += batch.length;
      if (batch.length < COUNT_BATCH) break;
    }
    const anyOpen = ALERT_RULES.some((r) => this.deps.pager.isOpen(`audit-${r}` as WatchCondition));
    if (added > 0 || anyOpen || this.deps.audit.repo.version !== this.lastVersion) void this.evaluateSoon();
  }

  /** Starts an evaluation, or asks for one more after the one running; resolves when none is pending. */
  evaluateSoon(): Promise<void> {
    if (this.evaluating) {
      this.evaluateAgain = true;
      return this.evaluating;
    }
    this.evaluating = (async () => {
      do {
        this.evaluateAgain = false;
        try {
          await this.evaluate();
        } catch (err) {
          this.deps.metrics.error('audit');
          this.deps.log.warn(`audit evaluation failed: ${err instanceof Error ? err.message : 'error'}`);
        }
      } while (this.evaluateAgain);
    })().finally(() => {
      this.evaluating = null;
    });
    return this.evaluating;
  }

  /**
   * The audit feature's rules over the recent events. AuditService.alerts first reads back
   * from Vault the approval records its log holds HMAC'd (the watcher's policy may read
   * <kv>-approvals/data/requests/*), so a delete with a valid approval does not page.
   */
  async evaluate(): Promise<void> {
    const { audit, pager, clock, metrics, config } = this.deps;
    this.lastVersion = audit.repo.version;
    const now = clock.now();
    const settings = audit.alertSettings();
    const { alerts } = await audit.alerts({ from: new Date(now - ALERT_LOOKBACK_MS).toISOString() }, settings, 10_000);
    const hold: Record<AlertRule, number> = {
      'failed-auth': settings.failedAuthWindowMinutes * 60_000,
      'bulk-reads': Math.max(settings.bulkReadWindowSeconds * 1000, 300_000),
      'wide-reads': DISCRETE_HOLD_MS,
      'off-hours': DISCRETE_HOLD_MS,
      'delete-without-approval': DISCRETE_HOLD_MS,
      'header-contradiction': DISCRETE_HOLD_MS,
      'sys-critical': DISCRETE_HOLD_MS,
      'key-decrypt': DISCRETE_HOLD_MS,
    };
    const byRule = new Map<AlertRule, AuditAlertView[]>();
    for (const a of alerts) {
      const rule = ruleOf(a.kind);
      if (rule === null) continue;
      if (Date.parse(a.to) < now - hold[rule]) continue;
      if (!this.seenAlerts.has(a.id)) {
        this.seenAlerts.add(a.id);
        metrics.alertRaised(rule);
      }
      const list = byRule.get(rule) ?? [];
      list.push(a);
      byRule.set(rule, list);
    }
    if (this.seenAlerts.size > 10_000) this.seenAlerts = new Set([...this.seenAlerts].slice(-5_000));
    for (const rule of ALERT_RULES) {
      const list = byRule.get(rule) ?? [];
      const condition = `audit-${rule}` as WatchCondition;
      if (list.length === 0) {
        pager.observe({ condition, active: false });
        continue;
      }
      const first = list[0]!;
      pager.observe({
        condition,
        active: true,
        severity: config.severities[condition],
        summary: list.length === 1 ? first.title : `${first.title} (and ${list.length - 1} more ${rule} alert${list.length > 2 ? 's' : ''})`,
        details: {
          rule,
          detail: first.detail,
          alerts: list.slice(0, 5).map((a) => ({ title: a.title, subject: a.subject, from: a.from, to: a.to, event_count: a.eventCount })),
        },
        view: 'audit',
      });
    }
  }

  /** Keeps the watcher's audit store small: it needs recent events only (this month and the last). */
  prune(nowMs: number): void {
    const d = new Date(nowMs);
    const keepFrom = d.getUTCMonth() === 0 ? (d.getUTCFullYear() - 1) * 100 + 12 : d.getUTCFullYear() * 100 + d.getUTCMonth();
    const repo = this.deps.audit.repo;
    let dropped = 0;
    for (const m of repo.months()) if (m.month < keepFrom) dropped += repo.dropMonth(m.month);
    if (dropped > 0) {
      repo.pruneTerms();
      this.deps.log.info(`audit store: forgot ${dropped} events older than last month`);
    }
  }

  async stop(): Promise<void> {
    await this.tailer?.stop();
    await this.evaluating;
  }
}
