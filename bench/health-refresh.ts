// A full dashboard refresh (every card: seal, active node + HA nodes, storage health,
// backups, audit devices, version and cluster) through HealthService.snapshot(), the
// exact work behind one health:snapshot IPC call, one refresh at a time on loopback.
// Signed in (token: every card, raft autopilot) and signed out (unauthenticated cards only).
import { NoBackupStatusSource } from '../src/main/services/health/backup-status';
import { HealthService } from '../src/main/services/health/health-service';
import type { Session, SessionInfo } from '../src/main/services/session/session-types';
import { systemClock } from '../src/main/services/time/clock';
import type { VaultClient } from '../src/main/services/vault/vault-client';
import { summarize, timeSequential, type LatencyStats } from './lib/stats';

export interface HealthRefreshResult {
  refreshes: number;
  signedIn: LatencyStats;
  signedOut: LatencyStats;
  storageMethod: string;
  targetP95Ms: number;
}

function tokenSession(client: VaultClient | null): Session {
  const info = { signedIn: client !== null } as SessionInfo;
  return {
    info: () => info,
    requireClient: () => {
      if (!client) throw Object.assign(new Error('signed out'), { code: 'UNAUTHENTICATED' });
      return client;
    },
    onChange: () => () => undefined,
  };
}

export async function benchHealthRefresh(anon: VaultClient, authed: VaultClient, refreshes: number): Promise<HealthRefreshResult> {
  const make = (c: VaultClient | null) => new HealthService({ vault: () => anon, session: tokenSession(c), backup: new NoBackupStatusSource(), clock: systemClock });
  const inService = make(authed);
  const outService = make(null);
  // Warm the keep-alive pools; not measured.
  for (let i = 0; i < 10; i++) await Promise.all([inService.snapshot(), outService.snapshot()]);
  const first = await inService.snapshot();
  if (!first.signedIn || first.status.sealed) throw new Error('health bench needs an unsealed Vault and a valid token');
  const a = await timeSequential(refreshes, () => inService.snapshot());
  const b = await timeSequential(refreshes, () => outService.snapshot());
  return { refreshes, signedIn: summarize(a.samples, a.wallMs), signedOut: summarize(b.samples, b.wallMs), storageMethod: first.storage.method, targetP95Ms: 50 };
}
