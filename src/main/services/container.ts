// Builds the Electron-free services. The Electron composition root (index.ts),
// the CLI and the browser harness all call this with their own adapters.
import { join } from 'node:path';
import type { AuditFilePicker } from './audit/audit-files';
import { AuditService } from './audit/audit-service';
import { AuditSourceSettings } from './audit-source/audit-source-settings';
import { AuditSourceRepo } from './storage/audit-source-repo';
import { BackupService } from './backup/backup-service';
import { BackupSettingsStore } from './backup/backup-settings-store';
import { CatalogBackupStatusSource } from './backup/backup-status-source';
import { ComplianceService } from './compliance/compliance-service';
import type { PdfPrinter } from './compliance/pdf-printer';
import { EvidenceService } from './evidence/evidence-service';
import { EvidenceSigningKey } from './evidence/signing-key';
import { IncidentService } from './incident/incident-service';
import { ComplianceQueries } from './storage/compliance-queries';
import { BackupRepo } from './storage/backup-repo';
import type { VaultConnection } from './config/app-config';
import type { BackupStatusSource } from './health/backup-status';
import { BreakGlass } from './health/break-glass';
import { EnrolmentService } from './enrolment/enrolment-service';
import { HealthService } from './health/health-service';
import { InventoryAutoSync } from './inventory/auto-sync';
import { recorderInventoryAudit } from './inventory/inventory-audit';
import { InventoryService, type InventoryAuditHook, type SavePathPicker } from './inventory/inventory-service';
import type { SecretStore } from './keychain/secret-store';
import { MetricsSampler } from './metrics/metrics-sampler';
import { ProfilesService, toConnection } from './profiles/profiles-service';
import { MemoryClipboard, noContentProtection, sharedContentProtection, type ContentProtection, type SecretClipboard } from './reveal/clipboard';
import { recorderRevealAudit } from './reveal/reveal-audit';
import { RevealService } from './reveal/reveal-service';
import { recorderRotationAudit } from './rotation/rotation-audit';
import { RotationService } from './rotation/rotation-service';
import { RotationRepo } from './storage/rotation-repo';
import { RevealRepo } from './storage/reveal-repo';
import type { ProfileRow } from './storage/profiles-repo';
import { CapabilitiesService } from './session/capabilities';
import type { GateContext } from '../../shared/capabilities';
import { SessionService } from './session/session-service';
import type { SessionInfo } from './session/session-types';
import { openDatabase, type SqlDatabase } from './storage/database';
import { InventoryRepo } from './storage/inventory-repo';
import { ProfilesRepo } from './storage/profiles-repo';
import { SettingsRepo } from './storage/settings-repo';
import { createLogger } from './log/logger';
import { systemClock, type Clock } from './time/clock';
import { createVaultClient, type VaultClient } from './vault/vault-client';
import { WatchStatusService, watchMountFor } from './watch/watch-status';
import type { EventSink } from '../handlers/types';
import { DkimDnsRecheckScheduler } from './dkim-dns/dkim-dns-recheck';
import { DkimDnsService } from './dkim-dns/dkim-dns-service';
import { effectiveResolvers, type EffectiveResolvers } from './dkim-dns/resolvers';
import { DkimDnsRepo } from './storage/dkim-dns-repo';

/** Opens a URL that a handler already validated (https only) in the user's browser. */
export type ExternalOpener = (url: string) => Promise<void>;

export interface ServiceDeps {
  /** The connection from the environment (VAULT_ADDR, ...): the first profile on a fresh install. */
  connection: VaultConnection;
  shell: 'electron' | 'harness';
  appVersion: string;
  platform: string;
  /** Where the SQLite database and other local state live (userData in the app). */
  dataDir: string;
  /** The OS keychain (keytar) in the app; tests may hand in another SecretStore. */
  secretStore: SecretStore;
  openExternal: ExternalOpener;
  events: EventSink;
  clock?: Clock;
  /** The backup catalog's view for the dashboard; absent: nothing recorded (red). */
  backupStatus?: BackupStatusSource;
  /** Where a downloaded tenant SSH key is saved: a save dialog in Electron, chosen by the test in the harness. */
  savePath?: SavePathPicker;
  /** Audit logs to tail or import: native open dialogs in Electron, the test's choice in the harness; absent: CLI paths only. */
  auditFiles?: AuditFilePicker;
  /** The console's audit trail for inventory actions; absent: one-line [audit] log events. */
  inventoryAudit?: InventoryAuditHook;
  /** The clipboard reveals copy to (Electron: marked secret); absent: an in-process one (harness, CLI). */
  clipboard?: SecretClipboard;
  /** Screen-capture protection while a credential shows (Electron: setContentProtection). */
  contentProtection?: ContentProtection;
  /** Policy: a shorter reveal window in ms (never longer than 15 minutes). */
  revealWindowMs?: number;
  /** Keep the tenant index fresh while signed in (inventory/auto-sync.ts); default: on in the app, off in the harness. */
  autoSync?: boolean;
  /** Prints the SOC 2 report to PDF: Electron's printToPDF in the app, headless Chromium in the harness; absent: no PDF. */
  pdf?: PdfPrinter | null;
  /** DNS resolvers for DKIM checks where a profile has none of its own (VAULT_CONSOLE_DNS_RESOLVERS); absent: the system's. */
  dnsResolvers?: string;
  /** Re-check DKIM DNS on a timer while signed in (dkim-dns/dkim-dns-recheck.ts); default: on in the app, off in the harness. */
  dkimDnsRecheck?: boolean;
}

export interface Services {
  deps: ServiceDeps;
  clock: Clock;
  db: SqlDatabase;
  settings: SettingsRepo;
  profiles: ProfilesService;
  /** The active profile's connection. */
  connection(): VaultConnection;
  /**
   * Unauthenticated client for the active profile: sys/health, seal status, unseal
   * (break-glass works signed out). Re-read it per use: a profile switch replaces it.
   */
  readonly vault: VaultClient;
  session: SessionService;
  /** What the signed-in identity may do, per action and exact path: the UI's gates and main's guard. */
  capabilities: CapabilitiesService;
  /** Make another profile active: new client, that profile's session, every view told. */
  switchProfile(id: string): Promise<SessionInfo>;
  /** The health dashboard (every card in one snapshot). */
  health: HealthService;
  /** Unseal with key shares, reset progress, seal after confirmation. */
  breakGlass: BreakGlass;
  /** Request rate and latency from sys/metrics, sampled into a 15-minute ring buffer. */
  metrics: MetricsSampler;
  /** Tenant secrets inventory: metadata index, sync, search, details, download, revoke. */
  inventory: InventoryService;
  /** Audit review: live tail, imports, alerts, exports, the console's own records, deletion approvals. */
  audit: AuditService;
  /** Each profile's audit source (the local store or VictoriaLogs), the one the Audit view reads. */
  auditSources: AuditSourceSettings;
  /** Backups: Force Backup Now, history, restore, retention, drill (catalog in SQLite + S3 manifests). */
  backup: BackupService;
  backupRepo: BackupRepo;
  backupSettings: BackupSettingsStore;
  /** Second-factor enrolment: granted by another admin, kept in Vault, active after a valid code. */
  enrolment: EnrolmentService;
  /** View Credentials: re-auth, time-limited reveal, wipe on every close. */
  reveal: RevealService;
  /** Rotate Now, Emergency Reset, bulk rotation jobs (kept in SQLite, resumable), shared schedules. */
  rotation: RotationService;
  /** Incident response: what an identity read since T (audit store), and one incident-tagged rotation job for it. */
  incident: IncidentService;
  /** Tamper-evident evidence packs (signed, hash-chained) and their offline verification. */
  evidence: EvidenceService;
  /** SOC 2 secret-access reports (HTML, PDF, JSON) in an evidence pack. */
  compliance: ComplianceService;
  /** DKIM DNS: per-resolver state, Check DNS now, the retirement that waits for DNS, job records. */
  dkimDns: DkimDnsService;
  dkimDnsRepo: DkimDnsRepo;
  /** The resolvers a DKIM check asks now (the active profile's, the environment's or the system's). */
  dkimResolvers(): EffectiveResolvers;
  /** The ops-host watchers reporting for the active cluster (heartbeats in Vault). */
  watch: WatchStatusService;
  dispose(): Promise<void>;
}

export const DATABASE_FILE = 'vault-console.db';

export function createServices(deps: ServiceDeps): Services {
  const clock = deps.clock ?? systemClock;
  const db = openDatabase(join(deps.dataDir, DATABASE_FILE));
  const now = () => new Date(clock.now());
  const settings = new SettingsRepo(db, now);
  const profiles = new ProfilesService(new ProfilesRepo(db), settings, now);

  const initial: ProfileRow = profiles.ensureDefault(deps.connection);
  let connection = toConnection(initial, deps.connection.timeoutMs);
  let vault = createVaultClient(connection);
  const session = new SessionService({ store: deps.secretStore, clock }, connection, initial.id);
  // One name for the signed-in person in every audit record and rotation note.
  const actor = (): string => {
    const info = session.info();
    return info.username ?? (info.displayName || 'unknown');
  };
  session.onChange((info) => deps.events.emit('session:changed', info));
  const backupRepo = new BackupRepo(db);
  const backupSettings = new BackupSettingsStore(settings, deps.secretStore, () => connection.kvMount);
  // Storage type decides a backup's paths (raft snapshot or logical); asked once per address.
  let storage: { address: string; value: GateContext['storage'] } | null = null;
  const capabilities = new CapabilitiesService({
    session,
    clock,
    context: async () => {
      if (storage?.address !== connection.address) {
        const s = await vault.request<{ storage_type?: string }>('GET', 'sys/seal-status').catch(() => null);
        if (s?.storage_type) storage = { address: connection.address, value: s.storage_type === 'raft' ? 'raft' : 'other' };
      }
      return {
        kvMount: connection.kvMount,
        transit: backupSettings.transitRef(),
        storage: storage?.address === connection.address ? storage.value : null,
      };
    },
  });
  const backup = new BackupService({
    repo: backupRepo,
    clock,
    config: () => backupSettings.config(),
    client: () => session.requireClient(),
    actor,
    onProgress: (p) => deps.events.emit('backup:progress', p),
  });
  const health = new HealthService({ vault: () => vault, session, backup: deps.backupStatus ?? new CatalogBackupStatusSource(backup, clock), clock });
  const breakGlass = new BreakGlass({ vault: () => vault, session, clock, sealIntentMount: () => watchMountFor(connection.kvMount) });
  const metrics = new MetricsSampler({ session, clock });
  metrics.start();
  // Created before the audit service, which asks it for the active profile's source.
  const sourcesRef: { current?: AuditSourceSettings } = {};
  const audit = new AuditService({
    source: () => sourcesRef.current!.source(),
    db,
    settings,
    clock,
    log: createLogger('audit'),
    dataDir: deps.dataDir,
    session,
    kvMount: () => connection.kvMount,
    namespace: () => connection.namespace ?? '',
    ...(deps.auditFiles ? { files: deps.auditFiles } : {}),
    onStreamUpdate: (status) => deps.events.emit('audit:stream-updated', status),
  });
  const auditSources = (sourcesRef.current = new AuditSourceSettings({ repo: new AuditSourceRepo(db), secrets: deps.secretStore, local: audit.repo, profileId: () => profiles.active().id, now }));
  // Audit retention (archive old months, delete expired ones): at start, then daily.
  audit.startMaintenance();
  // One index, read by the inventory and by rotation (overdue selection).
  const inventoryIndex = new InventoryRepo(db);
  const inventory = new InventoryService({
    repo: inventoryIndex,
    clock,
    client: () => session.requireClient(),
    mount: () => connection.kvMount,
    events: deps.events,
    savePath: deps.savePath,
    audit: deps.inventoryAudit ?? recorderInventoryAudit(audit.recorder),
    actor,
  });
  const inventoryAutoSync = new InventoryAutoSync({ inventory, session, clock });
  if (deps.autoSync ?? deps.shell === 'electron') inventoryAutoSync.start();
  // Reveals and a new API key share the window: it stays capture-protected while either shows.
  const protection = sharedContentProtection(deps.contentProtection ?? noContentProtection);
  const reveal = new RevealService({
    session,
    connection: () => connection,
    kvMount: () => connection.kvMount,
    clock,
    repo: new RevealRepo(db),
    clipboard: deps.clipboard ?? new MemoryClipboard(),
    protection: protection(),
    audit: recorderRevealAudit(audit.recorder, createLogger('reveal')),
    onClosed: (e) => deps.events.emit('reveal:closed', e),
    ...(deps.revealWindowMs !== undefined ? { windowMs: deps.revealWindowMs } : {}),
  });

  // DKIM DNS (before rotation: the grace sweep consults its retirement policy).
  const dkimDnsRepo = new DkimDnsRepo(db);
  const indexUsable = (m: string) => inventoryIndex.indexedMount() === m && inventoryIndex.lastDone(m) !== undefined;
  const dkimResolvers = (): EffectiveResolvers => effectiveResolvers(dkimDnsRepo.resolvers(profiles.active().id), deps.dnsResolvers ?? process.env.VAULT_CONSOLE_DNS_RESOLVERS);
  const dkimDns = new DkimDnsService({
    client: () => session.requireClient(),
    mount: () => connection.kvMount,
    actor,
    clock,
    resolvers: dkimResolvers,
    audit: audit.recorder,
    logger: createLogger('dkim-dns'),
    onChanged: (tenantId) => void inventory.refreshTenant(tenantId).catch(() => undefined),
    // The index when it covers this mount (no Vault listing); else a Vault listing.
    candidates: async () => (indexUsable(connection.kvMount) ? dkimDnsRepo.dkimInGrace() : null),
    jobItems: (jobId) => dkimDnsRepo.jobDkimItems(jobId),
  });
  const dkimRecheck = new DkimDnsRecheckScheduler({
    service: dkimDns,
    session,
    clock,
    onRechecked: (r) => deps.events.emit('dkim:dns-updated', { tenantIds: r.tenants }),
  });
  if (deps.dkimDnsRecheck ?? deps.shell === 'electron') dkimRecheck.start();
  const enrolment = new EnrolmentService({
    session,
    kvMount: () => connection.kvMount,
    clock,
    guard: capabilities,
    audit: {
      begin(action, path) {
        const tag = audit.recorder.begin(action, { path });
        return { headers: tag.headers, finish: (status, error) => audit.recorder.finish(tag, status, error) };
      },
    },
  });

  const rotation = new RotationService({
    repo: new RotationRepo(db),
    clock,
    client: () => session.requireClient(),
    mount: () => connection.kvMount,
    actor,
    events: deps.events,
    audit: recorderRotationAudit(audit.recorder),
    index: { repo: inventoryIndex, usable: (m) => inventoryIndex.indexedMount() === m && inventoryIndex.lastDone(m) !== undefined },
    onRotated: (tenantId) => void inventory.refreshTenant(tenantId).catch(() => undefined),
    // At sign-in: interrupted jobs resume, the grace sweep runs (then on a timer).
    session,
    cluster: () => `${connection.address}|${connection.namespace ?? ''}`,
    // A rotated API key's new key is copied like a revealed credential, within the same window policy.
    ...(deps.clipboard ? { clipboard: deps.clipboard } : {}),
    ...(deps.revealWindowMs !== undefined ? { apiKeyWindowMs: deps.revealWindowMs } : {}),
    apiKeyProtection: protection(),
    retirementPolicy: dkimDns.retirementPolicy,
  });

  const incident = new IncidentService({
    access: audit.repo.access,
    // The blast radius is counted where the Audit view reads: the active profile's source.
    source: () => audit.source(),
    rotation,
    session,
    mount: () => connection.kvMount,
    clock,
    log: createLogger('incident'),
  });
  const evidence = new EvidenceService({
    repo: audit.repo,
    // Packs of audit queries read the active profile's source, as the Audit view does.
    source: () => audit.source(),
    key: new EvidenceSigningKey(deps.secretStore),
    clock,
    log: createLogger('evidence'),
    exportDir: audit.exportDir,
  });
  const compliance = new ComplianceService({
    audit,
    queries: new ComplianceQueries(db),
    evidence,
    inventory,
    session,
    mount: () => connection.kvMount,
    vaultAddress: () => connection.address,
    clock,
    log: createLogger('compliance'),
    exportDir: audit.exportDir,
    pdf: deps.pdf ?? null,
  });

  return {
    deps,
    clock,
    db,
    settings,
    profiles,
    connection: () => connection,
    get vault() {
      return vault;
    },
    session,
    capabilities,
    health,
    breakGlass,
    metrics,
    inventory,
    audit,
    auditSources,
    backup,
    backupRepo,
    backupSettings,
    enrolment,
    reveal,
    rotation,
    incident,
    evidence,
    compliance,
    dkimDns,
    dkimDnsRepo,
    dkimResolvers,
    watch: new WatchStatusService({ session, clock, kvMount: () => connection.kvMount }),
    async switchProfile(id) {
      const row = profiles.setActive(id);
      const previous = connection;
      connection = toConnection(row, deps.connection.timeoutMs);
      // The local index describes one cluster; another cluster starts from an empty index.
      if (previous.address !== connection.address || previous.namespace !== connection.namespace) await inventory.forget();
      const old = vault;
      vault = createVaultClient(connection);
      old.close();
      const info = await session.switchTo(connection, row.id);
      deps.events.emit('profiles:changed', { activeId: row.id });
      return info;
    },
    async dispose() {
      // First, while Vault is reachable: wipe reveals and revoke their tokens.
      await reveal.dispose();
      await rotation.dispose();
      dkimRecheck.stop();
      inventoryAutoSync.stop();
      inventory.cancel();
      backup.cancel();
      await audit.dispose();
      auditSources.close();
      metrics.stop();
      session.dispose();
      vault.close();
      db.close();
    },
  };
}
