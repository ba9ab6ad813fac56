// Tenant and secret type from a path relative to the KV mount ("t-000042/ssh/admin").
import type { AuditSecretType } from '../../../shared/contracts/audit';

const TENANT_RE = /^t-\d{6,}$/;
const TYPES: Record<string, AuditSecretType> = { ssh: 'ssh', smtp: 'smtp', api: 'api', dkim: 'dkim', profile: 'profile' };

export function tenantOf(path: string): string | null {
  const first = path.replace(/^\/+/, '').split('/')[0] ?? '';
  return TENANT_RE.test(first) ? first : null;
}

export function secretTypeOf(path: string): AuditSecretType {
  const segs = path.replace(/^\/+/, '').split('/');
  return tenantOf(path) ? (TYPES[segs[1] ?? ''] ?? 'none') : 'none';
}
