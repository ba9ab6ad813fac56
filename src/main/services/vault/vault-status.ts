// Seal and health status from the unauthenticated sys endpoints, so the dashboard
// and `vault-console status` work before anyone signs in (break-glass needs that).
import type { VaultStatus } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import type { VaultClient } from './vault-client';

interface HealthBody {
  initialized?: boolean;
  sealed?: boolean;
  standby?: boolean;
  version?: string;
  cluster_name?: string;
  cluster_id?: string;
}

interface SealStatusBody {
  t?: number;
  n?: number;
  progress?: number;
  sealed?: boolean;
  initialized?: boolean;
  version?: string;
  cluster_name?: string;
  cluster_id?: string;
}

export async function readVaultStatus(client: VaultClient, now: () => Date = () => new Date()): Promise<VaultStatus> {
  const address = client.connection.address;
  try {
    // sys/health answers non-200 codes for sealed/standby; ask for 200 so that the
    // body is always JSON we can read.
    const [health, seal] = await Promise.all([
      client.request<HealthBody>('GET', 'sys/health?standbyok=true&perfstandbyok=true&sealedcode=200&uninitcode=200&drsecondarycode=200'),
      client.request<SealStatusBody>('GET', 'sys/seal-status'),
    ]);
    return {
      address,
      reachable: true,
      initialized: Boolean(health.initialized ?? seal.initialized),
      sealed: Boolean(seal.sealed ?? health.sealed),
      standby: Boolean(health.standby),
      version: health.version ?? seal.version ?? 'unknown',
      clusterName: health.cluster_name ?? seal.cluster_name ?? '',
      clusterId: health.cluster_id ?? seal.cluster_id ?? '',
      unseal: { threshold: seal.t ?? 0, shares: seal.n ?? 0, progress: seal.progress ?? 0 },
      checkedAt: now().toISOString(),
    };
  } catch (err) {
    if (err instanceof AppError && (err.code === 'VAULT_UNREACHABLE' || err.code === 'TLS_ERROR')) {
      return {
        address,
        reachable: false,
        initialized: false,
        sealed: true,
        standby: false,
        version: 'unknown',
        clusterName: '',
        clusterId: '',
        unseal: { threshold: 0, shares: 0, progress: 0 },
        checkedAt: now().toISOString(),
        error: err.message,
      };
    }
    throw err;
  }
}
