// Every metric the watcher serves on /metrics, built with prom-client. Labels take
// values from closed lists only (secret type, outcome, rule, action, condition,
// source): never a tenant id, a user name, an address or a path, so the number of
// series is bounded whatever Vault logs. test/unit/main/services/watch/metrics-labels-bounded.test.ts
// holds every label to these lists.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AUDIT_ACTIONS, AUDIT_SECRET_TYPES } from '../../../shared/audit/audit-rules';
import { parseConsoleTags } from '../audit/console-header';
import { WATCH_CONDITIONS, type WatchCondition } from '../../../shared/contracts/watch';
import type { CountedEvent, DueCounts } from '../storage/watch-repo';

export const ROTATION_TYPES = ['ssh', 'smtp', 'api', 'dkim'] as const;
export const ROTATION_OUTCOMES = ['success', 'failure', 'denied'] as const;
/** The audit detectors' alert kinds, grouped (the three failed-auth kinds are one rule): one page each. */
export const ALERT_RULES = ['failed-auth', 'bulk-reads', 'wide-reads', 'off-hours', 'delete-without-approval', 'header-contradiction', 'sys-critical', 'key-decrypt'] as const;
export type AlertRule = (typeof ALERT_RULES)[number];
export const ERROR_SOURCES = ['vault', 'audit', 'backup', 'inventory', 'heartbeat', 'routing-key', 'dkim-dns'] as const;
export type ErrorSource = (typeof ERROR_SOURCES)[number];
export const PAGER_ACTIONS = ['trigger', 'resolve'] as const;
export const PAGER_RESULTS = ['delivered', 'retried', 'dropped'] as const;

/** Every label name and the only values it may take. */
export const LABEL_VALUES: Record<string, readonly string[]> = {
  type: AUDIT_SECRET_TYPES,
  outcome: ROTATION_OUTCOMES,
  rule: ALERT_RULES,
  action: [...AUDIT_ACTIONS, ...PAGER_ACTIONS],
  condition: WATCH_CONDITIONS,
  source: ERROR_SOURCES,
  result: PAGER_RESULTS,
  version: [],
};

const P = 'vault_console_';

function one<T extends string>(name: string, help: string, reg: Registry): Gauge<T> {
  return new Gauge<T>({ name: `${P}${name}`, help, registers: [reg] });
}

/**
 * A gauge that is absent while its value is unknown (prom-client always exports a
 * label-less gauge, as 0): "last backup at 0" would look like a backup in 1970, and
 * "sealed 0" while Vault is unreachable would clear a sealed alert.
 */
class OptionalGauge {
  private readonly gauge: Gauge;
  private readonly name: string;
  private shown = false;

  constructor(
    private readonly reg: Registry,
    name: string,
    help: string,
  ) {
    this.name = `${P}${name}`;
    this.gauge = new Gauge({ name: this.name, help, registers: [] });
  }

  set(v: number | null): void {
    if (v === null) {
      if (this.shown) this.reg.removeSingleMetric(this.name);
      this.shown = false;
      return;
    }
    this.gauge.set(v);
    if (!this.shown) this.reg.registerMetric(this.gauge);
    this.shown = true;
  }
}

function opt(name: string, help: string, reg: Registry): OptionalGauge {
  return new OptionalGauge(reg, name, help);
}

export interface VaultHealthSample {
  reachable: boolean;
  initialized: boolean;
  sealed: boolean;
  /** True when the polled node serves requests as the active node. */
  active: boolean;
  leaderKnown: boolean | null;
  haNodes: number | null;
  storageHealthy: boolean | null;
  raft: { failureTolerance: number; voters: number } | null;
  auditDevices: number | null;
  sealedByConsole: boolean;
  checkedAtMs: number;
}

export class WatchMetrics {
  readonly registry = new Registry();

  // Vault
  private readonly vaultUp = one('vault_up', 'Vault answered the last health poll (1) or not (0).', this.registry);
  private readonly vaultSealed = opt('vault_sealed', 'Vault is sealed (1) or unsealed (0); absent while unreachable.', this.registry);
  private readonly vaultSealedByConsole = opt('vault_sealed_by_console', "1 while Vault is sealed by the console's own break-glass action (announced with an incident id).", this.registry);
  private readonly vaultInitialized = opt('vault_initialized', 'Vault is initialized.', this.registry);
  private readonly vaultActive = opt('vault_active', 'The polled node is the active node and serves requests.', this.registry);
  private readonly vaultLeaderKnown = opt('vault_leader_known', 'An active node holds the HA lock (sys/leader).', this.registry);
  private readonly vaultHaNodes = opt('vault_ha_nodes', 'HA nodes listed by sys/ha-status.', this.registry);
  private readonly storageHealthy = opt('vault_storage_healthy', 'Storage backend health: raft autopilot, or a canary round trip.', this.registry);
  private readonly raftFailureTolerance = opt('vault_raft_failure_tolerance', 'Raft autopilot failure tolerance.', this.registry);
  private readonly raftVoters = opt('vault_raft_voters', 'Raft voters.', this.registry);
  private readonly auditDevices = opt('vault_audit_devices', 'Enabled audit devices (the spec wants two: file and syslog).', this.registry);
  private readonly vaultLastCheck = one('vault_last_check_timestamp_seconds', 'When the watcher last polled Vault.', this.registry);

  // Backups
  private readonly backupConfigured = one('backup_catalog_configured', 'A backup bucket is configured for the watcher.', this.registry);
  private readonly backupCatalogUp = opt('backup_catalog_up', 'The backup catalog (manifests in S3) was readable at the last check.', this.registry);
  private readonly backupLastSuccess = opt('backup_last_success_timestamp_seconds', 'When the last successful backup finished.', this.registry);
  private readonly backupLastAttemptFailed = opt('backup_last_attempt_failed', 'The most recent backup attempt failed.', this.registry);
  private readonly backupDuration = new Histogram({
    name: `${P}backup_duration_seconds`,
    help: 'Duration of completed backups seen in the catalog since the watcher started.',
    buckets: [10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
    registers: [this.registry],
  });
  private readonly backupFailures = new Counter({ name: `${P}backup_failures_total`, help: 'Failed backup attempts seen in the catalog since the watcher started.', registers: [this.registry] });

  // Rotation
  private readonly rotations = new Counter<'type' | 'outcome'>({
    name: `${P}rotations_total`,
    help: "Rotations (KV data writes in Vault's audit log that the console tagged rotate or emergency-reset) by secret type and outcome.",
    labelNames: ['type', 'outcome'],
    registers: [this.registry],
  });
  private readonly secretsOverdue = new Gauge<'type'>({ name: `${P}secrets_overdue`, help: 'Secrets past their rotation date (or expired), by type.', labelNames: ['type'], registers: [this.registry] });
  private readonly secretsDue7d = new Gauge<'type'>({ name: `${P}secrets_due_7d`, help: 'Secrets due for rotation within 7 days, by type.', labelNames: ['type'], registers: [this.registry] });
  private readonly inventoryTenants = one('inventory_tenants', 'Tenants in the watcher’s metadata index.', this.registry);
  private readonly inventoryLastSync = opt('inventory_last_sync_timestamp_seconds', 'When the metadata index last synced successfully.', this.registry);

  // DKIM DNS (the scheduled re-check of keys in grace)
  private readonly dkimWaiting = opt('dkim_dns_waiting', 'DKIM keys whose previous selector is held back, waiting for the new one in DNS (last re-check).', this.registry);
  private readonly dkimLastRecheck = opt('dkim_dns_last_recheck_timestamp_seconds', 'When the last DKIM DNS re-check finished.', this.registry);

  // Audit
  private readonly auditEvents = new Counter<'action'>({ name: `${P}audit_events_total`, help: "Requests in Vault's audit log, by console action (the request rate).", labelNames: ['action'], registers: [this.registry] });
  private readonly secretReads = new Counter<'type'>({ name: `${P}secret_reads_total`, help: 'Tenant secret reads, by secret type.', labelNames: ['type'], registers: [this.registry] });
  private readonly reveals = new Counter({ name: `${P}reveals_total`, help: 'Credential reveals (View Credentials): tenant secret reads the console tagged reveal; also counted in secret_reads_total.', registers: [this.registry] });
  private readonly failedLogins = new Counter({ name: `${P}failed_logins_total`, help: 'Failed authentications.', registers: [this.registry] });
  private readonly suspicious = new Counter<'rule'>({ name: `${P}suspicious_activity_alerts_total`, help: 'Suspicious-activity alerts raised, by rule.', labelNames: ['rule'], registers: [this.registry] });
  private readonly auditTailUp = one('audit_tail_up', "The watcher reads Vault's file audit log.", this.registry);
  private readonly auditLastEvent = opt('audit_last_event_timestamp_seconds', 'Time of the newest audit event read.', this.registry);

  // The watcher itself
  private readonly info = new Gauge<'version'>({ name: `${P}watch_info`, help: 'The running watcher (value 1), by version.', labelNames: ['version'], registers: [this.registry] });
  private readonly conditionActive = new Gauge<'condition'>({ name: `${P}watch_condition_active`, help: 'Conditions the watcher pages for that are open now.', labelNames: ['condition'], registers: [this.registry] });
  private readonly outboxPending = one('pagerduty_outbox_pending', 'PagerDuty events waiting for delivery.', this.registry);
  private readonly pagerEvents = new Counter<'action' | 'result'>({
    name: `${P}pagerduty_events_total`,
    help: 'PagerDuty delivery attempts, by event action and result.',
    labelNames: ['action', 'result'],
    registers: [this.registry],
  });
  private readonly errors = new Counter<'source'>({ name: `${P}watch_errors_total`, help: 'Failed checks, by what was checked.', labelNames: ['source'], registers: [this.registry] });
  private readonly lastPoll = one('watch_last_poll_timestamp_seconds', 'When the watch loop last ran.', this.registry);

  constructor(version: string) {
    collectDefaultMetrics({ register: this.registry, prefix: `${P}watch_` });
    this.info.set({ version: version.replace(/[^0-9A-Za-z.+-]/g, '').slice(0, 32) }, 1);
    // Every series exists from the start (rate() needs a zero to begin from).
    for (const type of ROTATION_TYPES) {
      for (const outcome of ROTATION_OUTCOMES) this.rotations.inc({ type, outcome }, 0);
      this.secretReads.inc({ type }, 0);
    }
    for (const rule of ALERT_RULES) this.suspicious.inc({ rule }, 0);
    for (const c of WATCH_CONDITIONS) this.conditionActive.set({ condition: c }, 0);
    for (const action of PAGER_ACTIONS) for (const result of PAGER_RESULTS) this.pagerEvents.inc({ action, result }, 0);
    for (const source of ERROR_SOURCES) this.errors.inc({ source }, 0);
    this.backupConfigured.set(0);
    this.auditTailUp.set(0);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  polled(atMs: number): void {
    this.lastPoll.set(atMs / 1000);
  }

  vault(s: VaultHealthSample): void {
    this.vaultLastCheck.set(s.checkedAtMs / 1000);
    this.vaultUp.set(s.reachable ? 1 : 0);
    if (!s.reachable) {
      // Unknown is absent, not 0: a rule on sealed must not clear because Vault went away.
      for (const g of [this.vaultSealed, this.vaultSealedByConsole, this.vaultInitialized, this.vaultActive, this.vaultLeaderKnown, this.vaultHaNodes, this.storageHealthy, this.raftFailureTolerance, this.raftVoters, this.auditDevices]) g.set(null);
      return;
    }
    this.vaultSealed.set(s.sealed ? 1 : 0);
    this.vaultSealedByConsole.set(s.sealed && s.sealedByConsole ? 1 : 0);
    this.vaultInitialized.set(s.initialized ? 1 : 0);
    this.vaultActive.set(s.active ? 1 : 0);
    this.vaultLeaderKnown.set(bit(s.leaderKnown));
    this.vaultHaNodes.set(s.haNodes);
    this.storageHealthy.set(bit(s.storageHealthy));
    this.raftFailureTolerance.set(s.raft?.failureTolerance ?? null);
    this.raftVoters.set(s.raft?.voters ?? null);
    this.auditDevices.set(s.auditDevices);
  }

  backupCatalog(s: { configured: boolean; up: boolean; lastSuccessMs: number | null; lastAttemptFailed: boolean | null }): void {
    this.backupConfigured.set(s.configured ? 1 : 0);
    if (!s.configured) return;
    this.backupCatalogUp.set(s.up ? 1 : 0);
    this.backupLastSuccess.set(s.lastSuccessMs === null ? null : s.lastSuccessMs / 1000);
    this.backupLastAttemptFailed.set(bit(s.lastAttemptFailed));
  }

  backupSeen(r: { status: 'completed' | 'failed'; durationMs: number | null }): void {
    if (r.status === 'completed' && r.durationMs !== null) this.backupDuration.observe(r.durationMs / 1000);
    if (r.status === 'failed') this.backupFailures.inc();
  }

  due(counts: readonly DueCounts[], tenants: number, lastSyncMs: number | null): void {
    for (const type of ROTATION_TYPES) {
      const c = counts.find((x) => x.type === type);
      this.secretsOverdue.set({ type }, c?.overdue ?? 0);
      this.secretsDue7d.set({ type }, c?.due7 ?? 0);
    }
    this.inventoryTenants.set(tenants);
    this.inventoryLastSync.set(lastSyncMs === null ? null : lastSyncMs / 1000);
  }

  /**
   * Counts newly stored audit events. Only closed-list fields are read: never user, tenant
   * or path text (the path only to tell a KV data write from a metadata write).
   * The action is Vault's record (what Vault did). Reveals and rotations are Vault reads and
   * writes of tenant secrets that the console tagged with its action header; the header is an
   * annotation any client can send, so it only sorts requests that Vault's record already
   * shows into these counters, and a header Vault's operation contradicts sorts nothing.
   */
  auditBatch(events: readonly CountedEvent[], kvMount: string): void {
    const dataPrefix = `${kvMount}/data/`;
    for (const e of events) {
      const action = inList(AUDIT_ACTIONS, e.action) ?? 'other';
      this.auditEvents.inc({ action });
      const type = inList(AUDIT_SECRET_TYPES, e.secretType) ?? 'none';
      const tag = e.consoleHeader && !e.headerConflict ? (parseConsoleTags(e.consoleHeader.split(' | '))[0]?.action ?? null) : null;
      if (action === 'read' && type !== 'none') {
        this.secretReads.inc({ type });
        if (tag === 'reveal' && e.status === 'ok') this.reveals.inc();
      } else if (action === 'failed-login') {
        this.failedLogins.inc();
      } else if (action === 'write' && (tag === 'rotate' || tag === 'emergency-reset') && e.path.startsWith(dataPrefix)) {
        // One rotation writes the secret (data) and then its metadata: count the data write.
        const rt = inList(ROTATION_TYPES, type);
        if (rt) this.rotations.inc({ type: rt, outcome: e.status === 'ok' ? 'success' : e.status === 'denied' ? 'denied' : 'failure' });
      }
      this.auditLastEvent.set(e.ts / 1000);
    }
  }

  dkimRecheck(waiting: number, atMs: number): void {
    this.dkimWaiting.set(waiting);
    this.dkimLastRecheck.set(atMs / 1000);
  }

  auditTail(up: boolean): void {
    this.auditTailUp.set(up ? 1 : 0);
  }

  alertRaised(rule: AlertRule): void {
    this.suspicious.inc({ rule });
  }

  condition(c: WatchCondition, open: boolean): void {
    this.conditionActive.set({ condition: c }, open ? 1 : 0);
  }

  outbox(pending: number): void {
    this.outboxPending.set(pending);
  }

  pagerResult(action: 'trigger' | 'resolve', result: 'delivered' | 'retried' | 'dropped'): void {
    this.pagerEvents.inc({ action, result });
  }

  error(source: ErrorSource): void {
    this.errors.inc({ source });
  }
}

function inList<T extends string>(list: readonly T[], v: string): T | null {
  return (list as readonly string[]).includes(v) ? (v as T) : null;
}

function bit(v: boolean | null): number | null {
  return v === null ? null : v ? 1 : 0;
}
