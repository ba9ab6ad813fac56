// One health poll: the dashboard's snapshot (the same HealthService the app uses),
// turned into metrics and into the two Vault conditions: sealed (critical, unless
// the console's break-glass announced it) and unreachable (after a grace period, so
// a restart or a network blip pages no one). Logs only when the state changes.
import type { HealthSnapshot } from '../../../shared/contracts/health';
import type { HealthService } from '../health/health-service';
import type { Logger } from '../log/logger';
import type { Clock } from '../time/clock';
import type { Pager } from './pager';
import type { SealIntent } from './seal-intent';
import type { WatchConfig } from './watch-config';
import type { VaultHealthSample, WatchMetrics } from './watch-metrics';

export interface VaultWatchDeps {
  health: HealthService;
  pager: Pager;
  metrics: WatchMetrics;
  clock: Clock;
  log: Logger;
  config: Pick<WatchConfig, 'unreachableGraceMs' | 'sealedByConsole' | 'severities' | 'pollMs'>;
  /** Looks for the console's announcement of this seal newer than `usedUpTo` (reads the audit log first). */
  sealIntent: (seenAt: number, usedUpTo: number) => Promise<SealIntent | null>;
  /** Where the time of the last announcement used is kept across restarts (it explained its seal, no other). */
  usedIntent: { get(): number; set(at: number): void };
}

export function sampleOf(snap: HealthSnapshot, sealedByConsole: boolean, nowMs: number): VaultHealthSample {
  const s = snap.status;
  const serving = s.reachable && s.initialized && !s.sealed;
  const st = snap.storage;
  const storageHealthy = !serving ? null : st.method === 'autopilot' ? (st.autopilot?.healthy ?? null) : st.method === 'canary' ? st.tone !== 'red' : st.tone === 'red' ? false : null;
  return {
    reachable: s.reachable,
    initialized: s.initialized,
    sealed: s.sealed,
    active: serving && !s.standby,
    leaderKnown: serving ? snap.node.leaderAddress !== '' : null,
    haNodes: serving && snap.node.nodes.length > 0 ? snap.node.nodes.length : null,
    storageHealthy,
    raft: serving && st.autopilot ? { failureTolerance: st.autopilot.failureTolerance, voters: st.autopilot.voters } : null,
    auditDevices: serving && snap.audit.unavailable === null ? snap.audit.devices.length : null,
    sealedByConsole,
    checkedAtMs: nowMs,
  };
}

export class VaultWatch {
  /** When Vault stopped answering (null while it answers). */
  private unreachableSince: number | null = null;
  private lastState: 'up' | 'sealed' | 'unreachable' | 'uninitialized' | null = null;
  private sealIntent: SealIntent | null = null;
  last: HealthSnapshot | null = null;
  clusterName = '';

  constructor(private readonly deps: VaultWatchDeps) {}

  get serving(): boolean {
    const s = this.last?.status;
    return !!s && s.reachable && s.initialized && !s.sealed;
  }

  async poll(): Promise<void> {
    const { pager, metrics, clock, log, config } = this.deps;
    let snap: HealthSnapshot;
    try {
      snap = await this.deps.health.snapshot();
    } catch (err) {
      // The snapshot itself failed (not "Vault said sealed"): treat as unreachable.
      metrics.error('vault');
      snap = this.unreachableSnapshot(err instanceof Error ? err.message : 'health poll failed');
    }
    const now = clock.now();
    this.last = snap;
    const s = snap.status;
    if (s.clusterName) this.clusterName = s.clusterName;

    if (!s.reachable) {
      this.unreachableSince ??= now;
      metrics.vault(sampleOf(snap, false, now));
      metrics.error('vault');
      if (this.lastState !== 'unreachable') log.warn(`Vault at ${s.address} is unreachable (${s.error ?? 'no answer'}); degraded: polling every ${config.pollMs / 1000}s, paging after ${config.unreachableGraceMs / 1000}s`);
      this.lastState = 'unreachable';
      if (now - this.unreachableSince >= config.unreachableGraceMs) {
        pager.observe({
          condition: 'vault-unreachable',
          active: true,
          severity: config.severities['vault-unreachable'],
          summary: `Vault at ${s.address} has not answered for ${Math.round((now - this.unreachableSince) / 1000)}s`,
          details: { vault_address: s.address, error: s.error ?? null, unreachable_since: new Date(this.unreachableSince).toISOString() },
          view: 'health',
        });
      }
      // Sealed or not is unknown: that condition stays as it is.
      return;
    }
    this.unreachableSince = null;
    pager.observe({ condition: 'vault-unreachable', active: false });

    if (s.sealed || !s.initialized) {
      // Looked up until found: the announcement may reach the audit log a moment after the seal is seen.
      if (!this.sealIntent) {
        this.sealIntent = await this.deps.sealIntent(now, this.deps.usedIntent.get()).catch(() => null);
        if (this.sealIntent) this.deps.usedIntent.set(this.sealIntent.at);
      }
      const intent = this.sealIntent;
      metrics.vault(sampleOf(snap, intent !== null, now));
      const state = s.initialized ? 'sealed' : 'uninitialized';
      if (this.lastState !== state) log.warn(`Vault at ${s.address} is ${state}${intent ? ` (break-glass, incident ${intent.incidentId} announced by ${intent.user || 'unknown'})` : ''}`);
      this.lastState = state;
      const who = this.clusterName || s.address;
      const details = {
        vault_address: s.address,
        cluster_name: this.clusterName || null,
        version: s.version,
        initialized: s.initialized,
        sealed: s.sealed,
        unseal_progress: `${s.unseal.progress}/${s.unseal.threshold}`,
        seen_at: new Date(now).toISOString(),
        ...(intent ? { break_glass_incident: intent.incidentId, announced_by: intent.user || null, announced_at: new Date(intent.at).toISOString() } : {}),
      };
      pager.observe({
        condition: 'vault-sealed',
        active: true,
        severity: intent ? 'info' : config.severities['vault-sealed'],
        silent: intent !== null && config.sealedByConsole === 'none',
        summary: intent
          ? `Vault ${who} sealed by the console's break-glass action (incident ${intent.incidentId})`
          : s.initialized
            ? `Vault ${who} is sealed (not announced by the console's break-glass action)`
            : `Vault ${who} is not initialized`,
        details,
        view: 'health',
      });
      return;
    }
    this.sealIntent = null;
    metrics.vault(sampleOf(snap, false, now));
    if (this.lastState !== 'up') log.info(`Vault at ${s.address} is unsealed and answering${s.standby ? ' (standby)' : ''}`);
    this.lastState = 'up';
    pager.observe({ condition: 'vault-sealed', active: false });
  }

  private unreachableSnapshot(error: string): HealthSnapshot {
    const prev = this.last;
    const status = {
      address: prev?.status.address ?? '',
      reachable: false,
      initialized: false,
      sealed: true,
      standby: false,
      version: 'unknown',
      clusterName: '',
      clusterId: '',
      unseal: { threshold: 0, shares: 0, progress: 0 },
      checkedAt: new Date(this.deps.clock.now()).toISOString(),
      error,
    };
    const card = { tone: 'red' as const, label: 'Unreachable', detail: error, unavailable: null };
    return {
      status,
      signedIn: false,
      node: { ...card, haEnabled: false, leaderAddress: '', isSelf: false, nodes: [] },
      storage: { ...card, type: 'unknown', method: 'none', canaryLatencyMs: null, autopilot: null },
      backup: {
        lastBackup: { tone: 'neutral', label: '—', detail: null, unavailable: null, at: null, ageHours: null },
        health: { tone: 'neutral', label: '—', detail: null, unavailable: null, lastAttemptFailed: null, versioning: null },
      },
      audit: { tone: 'neutral', label: '—', detail: null, unavailable: 'Vault is unreachable.', devices: [] },
      overall: 'red',
      tookMs: 0,
    } as HealthSnapshot;
  }
}
