// The health dashboard in one call: every card read in parallel, each card failing
// on its own (a denied sys/audit never hides the seal status). Unauthenticated
// endpoints (health, seal-status, leader) always answer; the rest need the session
// and say "Sign in for more" without it.
import { performance } from 'node:perf_hooks';
import type { HealthSnapshot, HealthTone } from '../../../shared/contracts/health';
import type { VaultStatus } from '../../../shared/contracts/vault';
import { AppError } from '../../../shared/errors';
import { createLogger } from '../log/logger';
import type { Session } from '../session/session-types';
import type { Clock } from '../time/clock';
import type { VaultClient } from '../vault/vault-client';
import { readVaultStatus } from '../vault/vault-status';
import type { BackupStatusSource } from './backup-status';
import { storageCanary } from './canary';
import { auditTone, backupView, worstTone } from './health-rules';
import { reads, type AuditDeviceBody, type AutopilotState, type HaStatusNode, type LeaderBody } from './vault-reads';

const log = createLogger('health');

export const SIGN_IN_FOR_MORE = 'Sign in for more.';

export interface HealthServiceDeps {
  /** The unauthenticated client of the active connection (a getter: profiles can switch). */
  vault: () => VaultClient;
  session: Session;
  backup: BackupStatusSource;
  clock: Clock;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: AppError };

async function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await p };
  } catch (err) {
    return { ok: false, error: err instanceof AppError ? err : new AppError('VAULT_ERROR', 'Request failed.') };
  }
}

const STORAGE_NAMES: Record<string, string> = {
  raft: 'Raft (integrated storage)',
  postgresql: 'PostgreSQL',
  consul: 'Consul',
  file: 'File',
  inmem: 'In-memory',
  mysql: 'MySQL',
};

export function storageName(type: string): string {
  return STORAGE_NAMES[type] ?? (type || 'Unknown');
}

/** Why a card that needs a token is empty, in words a user can act on. */
function whyUnavailable(err: AppError, what: string): string {
  if (err.code === 'UNAUTHENTICATED') return SIGN_IN_FOR_MORE;
  if (err.code === 'PERMISSION_DENIED') return `Your policy does not allow reading ${what}.`;
  return err.message;
}

export class HealthService {
  constructor(private readonly deps: HealthServiceDeps) {}

  async snapshot(): Promise<HealthSnapshot> {
    const t0 = performance.now();
    const anon = this.deps.vault();
    const now = () => new Date(this.deps.clock.now());
    const [status, sealExtra, leader, backupStatus] = await Promise.all([
      readVaultStatus(anon, now),
      settle(reads.sealStatus(anon)),
      settle(reads.leader(anon)),
      settle(this.deps.backup.read()),
    ]);
    let authed: VaultClient | null = null;
    try {
      authed = this.deps.session.requireClient();
    } catch {
      authed = null;
    }
    const storageType = sealExtra.ok ? (sealExtra.value.storage_type ?? '') : '';
    const serving = status.reachable && status.initialized && !status.sealed;

    // Token-only reads, only when they can answer (a sealed Vault answers 503 to all).
    const [ha, audit, storageProbe] = await Promise.all([
      serving && authed ? settle(reads.haStatus(authed)) : Promise.resolve(null),
      serving && authed ? settle(reads.audit(authed)) : Promise.resolve(null),
      serving && authed ? this.probeStorage(authed, storageType) : Promise.resolve(null),
    ]);

    if (!backupStatus.ok) log.warn(`backup status source failed (${backupStatus.error.code})`);
    const backup = backupView(backupStatus.ok ? backupStatus.value : null, this.deps.clock.now());
    const node = nodeCard(status, leader, ha, authed !== null);
    const storage = storageCard(status, storageType, storageProbe, authed !== null);
    const auditView = auditCard(status, audit, authed !== null);
    const sealTone: HealthTone = serving ? 'green' : 'red';
    const snapshot: HealthSnapshot = {
      status,
      signedIn: authed !== null,
      node,
      storage,
      backup: {
        lastBackup: { ...backup.lastBackup, unavailable: null },
        health: {
          ...backup.health,
          unavailable: backupStatus.ok ? null : 'The backup catalog could not be read.',
          lastAttemptFailed: backupStatus.ok && backupStatus.value ? backupStatus.value.lastAttemptFailed : null,
          versioning: backupStatus.ok && backupStatus.value ? backupStatus.value.bucketVersioning : null,
        },
      },
      audit: auditView,
      overall: worstTone([sealTone, node.tone, storage.tone, backup.lastBackup.tone, backup.health.tone, auditView.tone]),
      tookMs: Math.round((performance.now() - t0) * 10) / 10,
    };
    return snapshot;
  }

  private async probeStorage(client: VaultClient, type: string): Promise<StorageProbe> {
    if (type === 'raft') {
      const ap = await settle(reads.autopilot(client));
      if (ap.ok) return { kind: 'autopilot', state: ap.value };
      // A policy without autopilot access still gets a real answer from the canary.
      if (ap.error.code !== 'PERMISSION_DENIED') return { kind: 'error', error: ap.error, via: 'autopilot' };
    }
    const canary = await settle(storageCanary(client, () => this.deps.clock.now()));
    if (canary.ok) return { kind: 'canary', latencyMs: canary.value.latencyMs };
    return { kind: 'error', error: canary.error, via: 'canary' };
  }
}

type StorageProbe =
  | { kind: 'autopilot'; state: AutopilotState }
  | { kind: 'canary'; latencyMs: number }
  | { kind: 'error'; error: AppError; via: 'autopilot' | 'canary' };

function unreachableCard(status: VaultStatus) {
  return { tone: 'red' as const, label: 'Unreachable', detail: status.error ?? 'No answer from Vault.', unavailable: null };
}

function nodeCard(
  status: VaultStatus,
  leader: Settled<LeaderBody>,
  ha: Settled<HaStatusNode[]> | null,
  signedIn: boolean,
): HealthSnapshot['node'] {
  const base = { haEnabled: false, leaderAddress: '', isSelf: false, nodes: [] as HealthSnapshot['node']['nodes'] };
  if (!status.reachable) return { ...base, ...unreachableCard(status) };
  if (!status.initialized || status.sealed) {
    return { ...base, tone: 'red', label: '—', detail: `${status.address} is sealed and serves nothing.`, unavailable: null };
  }
  if (!leader.ok) {
    return { ...base, tone: 'red', label: 'Unknown', detail: `sys/leader failed: ${leader.error.message}`, unavailable: null };
  }
  const l = leader.value;
  const nodes = ha?.ok
    ? ha.value.map((n) => ({
        hostname: n.hostname ?? '',
        apiAddress: n.api_address ?? '',
        clusterAddress: n.cluster_address ?? '',
        active: n.active_node === true,
        lastEcho: n.last_echo ?? null,
        version: n.version ?? '',
      }))
    : [];
  const unavailable = !signedIn ? `HA nodes: ${SIGN_IN_FOR_MORE}` : ha && !ha.ok ? `HA nodes: ${whyUnavailable(ha.error, 'sys/ha-status')}` : null;
  const card = { haEnabled: l.ha_enabled === true, leaderAddress: l.leader_address ?? '', isSelf: l.is_self === true, nodes, unavailable };
  if (!card.haEnabled) {
    return { ...card, leaderAddress: status.address, isSelf: true, tone: 'green', label: status.address, detail: 'HA is not enabled; this node serves every request.' };
  }
  if (!card.leaderAddress) {
    return { ...card, tone: 'red', label: 'No active node', detail: 'HA is enabled but no node holds the lock.' };
  }
  const standbys = nodes.filter((n) => !n.active).length;
  const role = card.isSelf ? 'The console talks to the active node.' : `The console talks to ${status.address}, a standby.`;
  const count = nodes.length > 0 ? ` ${nodes.length} HA node${nodes.length === 1 ? '' : 's'}: 1 active, ${standbys} standby.` : '';
  return { ...card, tone: 'green', label: card.leaderAddress, detail: `${role}${count}` };
}

function storageCard(status: VaultStatus, type: string, probe: StorageProbe | null, signedIn: boolean): HealthSnapshot['storage'] {
  const base = { type: type || 'unknown', method: 'none' as const, canaryLatencyMs: null, autopilot: null };
  const name = storageName(type);
  if (!status.reachable) return { ...base, ...unreachableCard(status) };
  if (!status.initialized || status.sealed) {
    return { ...base, tone: 'neutral', label: name, detail: 'Storage health is unknown while Vault is sealed.', unavailable: null };
  }
  if (!signedIn || !probe) {
    return { ...base, tone: 'neutral', label: name, detail: null, unavailable: `Storage health: ${SIGN_IN_FOR_MORE}` };
  }
  if (probe.kind === 'error') {
    if (probe.error.code === 'PERMISSION_DENIED' || probe.error.code === 'UNAUTHENTICATED') {
      const what = probe.via === 'canary' ? 'or writing your cubbyhole (storage canary)' : 'sys/storage/raft/autopilot/state';
      return { ...base, tone: 'neutral', label: name, detail: null, unavailable: whyUnavailable(probe.error, what) };
    }
    return { ...base, method: probe.via, tone: 'red', label: `${name}: failing`, detail: probe.error.message, unavailable: null };
  }
  if (probe.kind === 'canary') {
    // A round trip over a second on a healthy network means the backend is struggling.
    const tone: HealthTone = probe.latencyMs > 1000 ? 'amber' : 'green';
    return {
      ...base,
      method: 'canary',
      canaryLatencyMs: probe.latencyMs,
      tone,
      label: `${name}: ${tone === 'green' ? 'healthy' : 'slow'}`,
      detail: `Canary write and read in ${probe.latencyMs} ms.`,
      unavailable: null,
    };
  }
  const s = probe.state;
  const servers = Object.values(s.servers ?? {});
  const unhealthy = servers.filter((x) => x.healthy === false).length;
  const healthy = s.healthy === true;
  const autopilot = { healthy, failureTolerance: s.failure_tolerance ?? 0, voters: (s.voters ?? []).length, servers: servers.length };
  return {
    ...base,
    method: 'autopilot',
    autopilot,
    tone: healthy ? 'green' : 'red',
    label: `${name}: ${healthy ? 'healthy' : 'unhealthy'}`,
    detail: `Autopilot: ${servers.length} server${servers.length === 1 ? '' : 's'}, ${autopilot.voters} voter${autopilot.voters === 1 ? '' : 's'}, failure tolerance ${autopilot.failureTolerance}${unhealthy ? `, ${unhealthy} unhealthy` : ''}.`,
    unavailable: null,
  };
}

function auditCard(status: VaultStatus, audit: Settled<Record<string, AuditDeviceBody>> | null, signedIn: boolean): HealthSnapshot['audit'] {
  const base = { devices: [] as HealthSnapshot['audit']['devices'] };
  if (!status.reachable) return { ...base, tone: 'neutral', label: '—', detail: null, unavailable: 'Vault is unreachable.' };
  if (!status.initialized || status.sealed) return { ...base, tone: 'neutral', label: '—', detail: null, unavailable: 'Vault is sealed.' };
  if (!signedIn || !audit) return { ...base, tone: 'neutral', label: '—', detail: null, unavailable: `Audit devices: ${SIGN_IN_FOR_MORE}` };
  if (!audit.ok) return { ...base, tone: 'neutral', label: '—', detail: null, unavailable: whyUnavailable(audit.error, 'sys/audit (read + sudo)') };
  const devices = Object.entries(audit.value)
    .filter(([, d]) => d && typeof d === 'object' && typeof d.type === 'string')
    .map(([path, d]) => ({ path: d.path ?? path, type: d.type ?? '', description: d.description ?? '' }))
    .sort((a, b) => a.path.localeCompare(b.path));
  const tone = auditTone(devices.length);
  const label = devices.length === 0 ? 'None enabled' : devices.map((d) => `${d.type} (${d.path})`).join(', ');
  const detail =
    devices.length === 0
      ? 'No audit device: Vault records nothing.'
      : devices.length < 2
        ? 'Fewer than two audit devices: if this one fails, Vault stops answering requests. Add a second (file and syslog).'
        : `${devices.length} audit devices enabled.`;
  return { devices, tone, label, detail, unavailable: null };
}
