// `vault-console watch` composed: the same services as the app (health, audit,
// backup catalog, inventory) without Electron or a keychain, on their own loops, plus
// the pager (conditions -> PagerDuty outbox), the metrics and the heartbeat. Nothing
// here throws because Vault, S3 or PagerDuty misbehave: each failure is a degraded
// state that is logged once, counted in a metric and retried.
import { AuditService } from '../audit/audit-service';
import type { BackupConfig } from '../backup/backup-config';
import { BackupService } from '../backup/backup-service';
import type { VaultConnection } from '../config/app-config';
import { NoBackupStatusSource } from '../health/backup-status';
import { HealthService } from '../health/health-service';
import { InventoryService } from '../inventory/inventory-service';
import { createLogger, type Logger } from '../log/logger';
import { BackupRepo } from '../storage/backup-repo';
import { DkimDnsRepo } from '../storage/dkim-dns-repo';
import type { SqlDatabase } from '../storage/database';
import { InventoryRepo } from '../storage/inventory-repo';
import { SettingsRepo } from '../storage/settings-repo';
import { WatchRepo } from '../storage/watch-repo';
import type { Clock } from '../time/clock';
import { createVaultClient, type VaultClient } from '../vault/vault-client';
import { AuditWatch } from './audit-watch';
import { BackupWatch } from './backup-watch';
import { DkimDnsWatch } from './dkim-dns-watch';
import { writeHeartbeat } from './heartbeat';
import { InventoryWatch } from './inventory-watch';
import { Loop } from './loop';
import { PagerOutbox } from './outbox';
import { clusterKeyOf, Pager } from './pager';
import type { EventSender } from './pagerduty';
import type { RoutingKeyProvider } from './routing-key';
import { findSealIntent } from './seal-intent';
import type { WatchConfig } from './watch-config';
import { WatchMetrics } from './watch-metrics';
import type { WatchSession } from './watch-session';
import { VaultWatch } from './vault-watch';

export interface WatcherDeps {
  config: WatchConfig;
  connection: VaultConnection;
  session: WatchSession;
  /** The watcher's own database (outbox, conditions, audit store, catalog, index). */
  db: SqlDatabase;
  clock: Clock;
  version: string;
  host: string;
  /** null: no backup bucket configured; backups are not watched. */
  backupConfig: BackupConfig | null;
  routingKey: RoutingKeyProvider;
  send?: EventSender;
  log?: Logger;
  /** Called once the audit log's path is known and tailed (-forward-victorialogs). */
  onAuditTail?: (path: string) => void;
}

const RECOUNT_EVERY_MS = 60_000;
const ROUTING_KEY_REFRESH_MS = 600_000;
const MAINTENANCE_EVERY_MS = 86_400_000;
const OUTBOX_KEEP_MS = 30 * 86_400_000;
const USED_INTENT_KEY = 'watch.sealIntentUsedAt';

export class Watcher {
  readonly metrics: WatchMetrics;
  readonly repo: WatchRepo;
  readonly pager: Pager;
  readonly outbox: PagerOutbox;
  readonly audit: AuditService;
  readonly vaultWatch: VaultWatch;
  readonly auditWatch: AuditWatch;
  readonly backupWatch: BackupWatch;
  readonly inventoryWatch: InventoryWatch;
  /** null: the DKIM DNS re-check is off (-dkim-dns-recheck=off). */
  readonly dkimDnsWatch: DkimDnsWatch | null;
  private readonly log: Logger;
  private readonly anon: VaultClient;
  private readonly loops: Loop[] = [];
  private readonly vaultLoop: Loop;
  private readonly startedAt: number;
  private lastPollAt: number | null = null;
  private lastBeatAt = 0;
  private beatDue = true;
  private beatFailing = false;
  private beatWritten = false;
  private lastRecountAt = 0;
  private lastKeyReadAt = 0;
  private stopped = false;

  constructor(private readonly deps: WatcherDeps) {
    const { config, clock, db, session, connection } = deps;
    this.log = deps.log ?? createLogger('watch');
    this.startedAt = clock.now();
    this.metrics = new WatchMetrics(deps.version);
    this.repo = new WatchRepo(db);
    this.anon = createVaultClient(connection);
    this.anon.setToken(undefined);
    (this.anon.raw as { namespace?: string }).namespace = connection.namespace;

    this.outbox = new PagerOutbox({
      repo: this.repo,
      clock,
      log: createLogger('pagerduty'),
      url: config.eventsUrl,
      routingKey: () => deps.routingKey.current(),
      retryBaseMs: config.retryBaseMs,
      retryMaxMs: config.retryMaxMs,
      ...(deps.send ? { send: deps.send } : {}),
      onResult: (row, outcome) => {
        this.metrics.pagerResult(row.action, outcome.kind === 'delivered' ? 'delivered' : outcome.kind === 'drop' ? 'dropped' : 'retried');
        this.metrics.outbox(this.outbox.stats.pending);
      },
    });
    this.pager = new Pager({
      repo: this.repo,
      clock,
      log: this.log,
      clusterKey: () => clusterKeyOf(connection.address, connection.namespace),
      source: () => this.vaultWatch.clusterName || clusterKeyOf(connection.address, connection.namespace),
      consoleUrl: config.consoleUrl,
      vaultAddress: () => connection.address,
      queued: () => {
        this.outbox.kick();
        this.metrics.outbox(this.repo.pendingCount());
      },
      onChange: (c, open) => {
        this.metrics.condition(c, open);
        this.beatDue = true;
      },
    });
    for (const r of this.repo.openConditions()) this.metrics.condition(r.condition, true);

    const settings = new SettingsRepo(db);
    this.audit = new AuditService({ db, settings, clock, log: createLogger('audit'), dataDir: config.dataDir, session, kvMount: () => config.kvMount });
    this.auditWatch = new AuditWatch({ audit: this.audit, repo: this.repo, metrics: this.metrics, pager: this.pager, clock, log: this.log, session, config, ...(deps.onAuditTail ? { onTail: deps.onAuditTail } : {}) });

    const health = new HealthService({ vault: () => this.anon, session, backup: new NoBackupStatusSource(), clock });
    this.vaultWatch = new VaultWatch({
      health,
      pager: this.pager,
      metrics: this.metrics,
      clock,
      log: this.log,
      config,
      sealIntent: async (seenAt, usedUpTo) => {
        // The announcement is written just before the seal: read the log up to now first.
        await this.auditWatch.pollNow();
        return findSealIntent(this.repo, config.watchMount, seenAt, config.sealIntentWindowMs, usedUpTo);
      },
      usedIntent: {
        get: () => Number(settings.get(USED_INTENT_KEY) ?? '-Infinity'),
        set: (at) => settings.set(USED_INTENT_KEY, String(at)),
      },
    });

    const backupRepo = new BackupRepo(db);
    const backupConfig = deps.backupConfig;
    const backup = backupConfig
      ? new BackupService({ repo: backupRepo, clock, config: async () => backupConfig, client: () => session.requireClient(), actor: () => 'watch' })
      : null;
    this.backupWatch = new BackupWatch({ backup, repo: backupRepo, bucket: backupConfig?.bucket ?? null, pager: this.pager, metrics: this.metrics, clock, log: this.log, config });

    const index = new InventoryRepo(db);
    // In no hurry: a few requests at a time keep the first full sync's memory and Vault's load low.
    const inventory = new InventoryService({ repo: index, clock, client: () => session.requireClient(), mount: () => config.kvMount, logger: createLogger('inventory'), concurrency: 4 });
    this.inventoryWatch = new InventoryWatch({ inventory, index, repo: this.repo, metrics: this.metrics, clock, log: this.log, kvMount: config.kvMount });

    const failed = (what: string) => (message: string) => this.log.error(`${what} failed: ${message}`);
    this.vaultLoop = new Loop(clock, () => config.pollMs, () => this.pollOnce(), failed('poll'));
    this.loops.push(this.vaultLoop);
    if (backup) this.loops.push(new Loop(clock, () => config.backupCheckMs, () => this.backupWatch.check(), failed('backup check')));
    // Until the first sync succeeded (Vault sealed or down at start), try again every 30 s, not every 15 min.
    this.loops.push(
      new Loop(
        clock,
        () => (this.inventoryWatch.synced ? config.inventoryMs : Math.min(config.inventoryMs, 30_000)),
        async () => {
          if (this.vaultWatch.serving && session.hasToken()) await this.inventoryWatch.sync();
        },
        failed('inventory sync'),
      ),
    );
    // DKIM keys in grace re-checked in DNS (issue 16), once Vault serves requests.
    const dkimEvery = config.dkimDnsRecheckMs;
    this.dkimDnsWatch =
      dkimEvery === null
        ? null
        : new DkimDnsWatch({ client: () => session.requireClient(), kvMount: config.kvMount, actor: `watch:${config.watcherId}`, clock, resolvers: config.dnsResolvers, index, dkim: new DkimDnsRepo(db), metrics: this.metrics, log: createLogger('dkim-dns') });
    if (this.dkimDnsWatch && dkimEvery !== null) {
      const dkimDnsWatch = this.dkimDnsWatch;
      this.loops.push(
        new Loop(
          clock,
          // Until Vault serves and the index is synced, look again every 30 s.
          () => (this.vaultWatch.serving && this.inventoryWatch.synced ? dkimEvery : Math.min(dkimEvery, 30_000)),
          async () => {
            if (this.vaultWatch.serving && session.hasToken() && this.inventoryWatch.synced) await dkimDnsWatch.recheck();
          },
          failed('DKIM DNS re-check'),
        ),
      );
    }
    this.loops.push(new Loop(clock, () => MAINTENANCE_EVERY_MS, async () => this.maintain(), failed('maintenance')));
  }

  start(): void {
    const { config, connection } = this.deps;
    const key = config.routingKey.kind === 'file' ? `routing key from ${config.routingKey.path}` : config.routingKey.kind === 'vault' ? `routing key from Vault ${config.routingKey.mount}/${config.routingKey.path}` : 'NO routing key: pages are queued, not sent';
    this.log.info(
      `watching ${connection.address} every ${config.pollMs / 1000}s as ${config.watcherId}; paging ${new URL(config.eventsUrl).origin} (${key}); ${this.repo.pendingCount()} event(s) waiting, ${this.repo.openConditions().length} condition(s) open`,
    );
    this.outbox.start();
    this.metrics.outbox(this.repo.pendingCount());
    this.vaultLoop.start(0);
    for (const l of this.loops) if (l !== this.vaultLoop) l.start(l === this.loops.at(-1) ? 60_000 : 1_000);
  }

  /** Why the watcher itself is not working (for /healthz): its loop stalled. */
  problem(): string | null {
    if (this.stopped) return 'stopping';
    const last = this.lastPollAt ?? this.startedAt;
    const limit = Math.max(3 * this.deps.config.pollMs, 30_000);
    return this.deps.clock.now() - last > limit ? `no poll for ${Math.round((this.deps.clock.now() - last) / 1000)}s` : null;
  }

  /** One round: token, Vault health, audit tail, counts, routing key, heartbeat. */
  async pollOnce(): Promise<void> {
    const { session, clock, config, routingKey } = this.deps;
    await session.refresh();
    await this.vaultWatch.poll();
    const now = clock.now();
    // A configured log path is tailed whatever Vault's state (a seal's announcement is read from it);
    // finding the path through sys/audit needs Vault to answer.
    if (config.auditLog !== 'discover' || (this.vaultWatch.serving && session.hasToken())) await this.auditWatch.ensureTailer();
    if (this.vaultWatch.serving && session.hasToken()) {
      if (routingKey.configured && config.routingKey.kind === 'vault' && (routingKey.current() === null || now - this.lastKeyReadAt > ROUTING_KEY_REFRESH_MS)) {
        this.lastKeyReadAt = now;
        const had = routingKey.current() !== null;
        await routingKey.refreshFromVault().catch(() => undefined);
        if (routingKey.current() !== null && !had) {
          this.log.info('routing key read from Vault');
          this.outbox.kick();
        } else if (routingKey.current() === null) {
          this.metrics.error('routing-key');
          this.log.warn(`no routing key yet: ${routingKey.lastProblem ?? 'unknown'}`);
        }
      }
    }
    this.auditWatch.process();
    if (now - this.lastRecountAt >= RECOUNT_EVERY_MS) {
      this.lastRecountAt = now;
      this.inventoryWatch.recount();
    }
    this.metrics.outbox(this.repo.pendingCount());
    this.lastPollAt = now;
    this.metrics.polled(now);
    if (this.beatDue || now - this.lastBeatAt >= config.heartbeatMs) await this.beat(now);
  }

  private async beat(now: number): Promise<void> {
    const { session, config, connection } = this.deps;
    if (!this.vaultWatch.serving || !session.hasToken()) return;
    try {
      await writeHeartbeat(
        session.requireClient(),
        config.watchMount,
        {
          watcherId: config.watcherId,
          host: this.deps.host,
          version: this.deps.version,
          startedAt: new Date(this.startedAt).toISOString(),
          pollSeconds: config.pollMs / 1000,
          vaultAddress: connection.address,
          openPages: this.pager.openPages(),
          outboxPending: this.repo.pendingCount(),
        },
        new Date(now).toISOString(),
        !this.beatWritten,
      );
      this.beatWritten = true;
      this.lastBeatAt = now;
      this.beatDue = false;
      if (this.beatFailing) this.log.info('heartbeat written again');
      this.beatFailing = false;
    } catch (err) {
      this.metrics.error('heartbeat');
      if (!this.beatFailing) this.log.warn(`heartbeat not written to ${config.watchMount}: ${err instanceof Error ? err.message : 'error'}`);
      this.beatFailing = true;
      this.lastBeatAt = now;
    }
  }

  private async maintain(): Promise<void> {
    const now = this.deps.clock.now();
    this.repo.pruneOutbox(now - OUTBOX_KEEP_MS);
    this.auditWatch.prune(now);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops.map((l) => l.stop()));
    await this.auditWatch.stop();
    await this.outbox.stop();
    await this.audit.dispose();
    this.anon.close();
    this.log.info('stopped');
  }
}
