// The Vault layout the console reads and the seeder writes. docs/vault-layout.md
// explains every path and metadata key; change both together.
// (Candidate to move to src/shared once the inventory service needs it.)

export const LAYOUT_SCHEMA = '1';
export const DEFAULT_KV_MOUNT = 'tenants';

export type SecretType = 'profile' | 'ssh' | 'smtp' | 'api' | 'dkim';
export type SecretStatus = 'active' | 'expired' | 'revoked';

/** custom_metadata keys. Values are always strings (a KV v2 rule). */
export const MD = {
  schema: 'schema',
  type: 'type',
  status: 'status',
  lastRotated: 'last_rotated',
  nextRotation: 'next_rotation',
  rotationDays: 'rotation_days',
  graceUntil: 'grace_until',
  fingerprint: 'fingerprint',
  lastDownloaded: 'last_downloaded',
  selector: 'selector',
  domain: 'domain',
  webmailUrl: 'webmail_url',
  prefix: 'prefix',
  permissions: 'permissions',
  rateLimit: 'rate_limit',
  created: 'created',
  lastUsed: 'last_used',
  requestCount: 'request_count',
  tenantName: 'tenant_name',
  vpsIp: 'vps_ip',
  domains: 'domains',
  source: 'source',
} as const;

/** Default rotation periods in days (spec: SSH 90, SMTP 180, DKIM 365). */
export const ROTATION_DAYS: Record<Exclude<SecretType, 'profile'>, number> = {
  ssh: 90,
  smtp: 180,
  dkim: 365,
  api: 365,
};

const TENANT_ID_RE = /^t-\d{6,}$/;

export function tenantId(index: number): string {
  if (!Number.isInteger(index) || index < 0) throw new Error('tenant index must be a non-negative integer');
  return `t-${String(index).padStart(6, '0')}`;
}

export function isTenantId(id: string): boolean {
  return TENANT_ID_RE.test(id);
}

/** Paths relative to the mount; kv.ts encodes the segments. */
export const paths = {
  profile: (t: string) => `${t}/profile`,
  sshAdmin: (t: string) => `${t}/ssh/admin`,
  sshTenant: (t: string) => `${t}/ssh/tenant`,
  smtpAdmin: (t: string) => `${t}/smtp/admin`,
  apiKey: (t: string, keyId: string) => `${t}/api/${keyId}`,
  dkim: (t: string, domain: string) => `${t}/dkim/${domain}`,
};
