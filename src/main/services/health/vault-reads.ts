// The raw sys/ reads behind the dashboard, typed to the fields we use. Vault wraps
// authenticated answers in {data: ...} and also repeats them at the top level for
// some endpoints; readData() accepts both.
import type { VaultClient } from '../vault/vault-client';

export interface SealStatusExtra {
  storage_type?: string;
  type?: string;
}

export interface LeaderBody {
  ha_enabled?: boolean;
  is_self?: boolean;
  leader_address?: string;
  leader_cluster_address?: string;
  active_time?: string;
}

export interface HaStatusNode {
  hostname?: string;
  api_address?: string;
  cluster_address?: string;
  active_node?: boolean;
  last_echo?: string | null;
  version?: string;
}

export interface AutopilotState {
  healthy?: boolean;
  failure_tolerance?: number;
  voters?: string[];
  servers?: Record<string, { healthy?: boolean; status?: string; node_status?: string }>;
}

export interface AuditDeviceBody {
  path?: string;
  type?: string;
  description?: string;
}

function readData<T>(body: unknown): T {
  const b = body as { data?: unknown } | null;
  return (b && typeof b === 'object' && b.data && typeof b.data === 'object' ? b.data : b) as T;
}

export const reads = {
  sealStatus: (c: VaultClient) => c.request<SealStatusExtra>('GET', 'sys/seal-status'),
  leader: (c: VaultClient) => c.request<LeaderBody>('GET', 'sys/leader'),
  haStatus: async (c: VaultClient) => readData<{ nodes?: HaStatusNode[] }>(await c.request('GET', 'sys/ha-status')).nodes ?? [],
  autopilot: async (c: VaultClient) => readData<AutopilotState>(await c.request('GET', 'sys/storage/raft/autopilot/state')),
  audit: async (c: VaultClient) => readData<Record<string, AuditDeviceBody>>(await c.request('GET', 'sys/audit')),
};
