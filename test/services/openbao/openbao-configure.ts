// Configures a freshly unsealed test server through the HTTP API with the root token:
// KV v2, userpass users, TOTP, transit and the console's policies. Idempotent, so a
// restart on the same data dir can run it again.
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { baoRequest } from './openbao-api';

export const POLICY_DIR = join(__dirname, 'policies');
export const BACKUP_TRANSIT_KEY = 'vault-console-backup';
/** The tenant whose identity the demo tenant user is bound to (tests the templated policy). */
export const DEMO_TENANT_ID = 't-0001';

export interface OpenBaoUser {
  username: string;
  password: string;
}

export interface OpenBaoUsers {
  admin: OpenBaoUser;
  /** A second admin: grants the first one's second factor (nobody grants their own, docs/enrolment.md). */
  secondAdmin: OpenBaoUser;
  auditor: OpenBaoUser;
  /** Bound to an identity entity with metadata tenant_id, under vault-console-tenant. */
  tenant: OpenBaoUser & { tenantId: string };
}

function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}

/** Loads policies/*.hcl with the KV mount substituted. Name = file name without .hcl. */
export async function loadPolicies(kvMount: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const file of (await readdir(POLICY_DIR)).filter((f) => f.endsWith('.hcl')).sort()) {
    const text = await readFile(join(POLICY_DIR, file), 'utf8');
    out.set(file.slice(0, -'.hcl'.length), text.replaceAll('__KV_MOUNT__', kvMount));
  }
  return out;
}

export async function configureOpenBao(addr: string, token: string, kvMount: string): Promise<OpenBaoUsers> {
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(kvMount)) {
    throw new Error(`kvMount ${JSON.stringify(kvMount)} is not a plain mount name (a-z, 0-9, _ and -)`);
  }
  const call = <T = unknown>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown) =>
    baoRequest<T>(addr, method, path, { token, body });

  const mounts = await call<{ data: Record<string, unknown> }>('GET', 'sys/mounts');
  const wantMounts: Array<[string, unknown]> = [
    [kvMount, { type: 'kv', options: { version: '2' }, description: 'tenant secrets' }],
    ['totp', { type: 'totp', description: 'TOTP re-authentication' }],
    ['transit', { type: 'transit', description: 'backup encryption' }],
    // Second-admin approvals for deleting tenant secrets (docs/audit-mapping.md).
    [`${kvMount}-approvals`, { type: 'kv', options: { version: '2' }, description: 'deletion approvals' }],
    // Tenant change stamps for the inventory's incremental sync (docs/vault-layout.md).
    [`${kvMount}-stamps`, { type: 'kv', options: { version: '2' }, description: 'tenant change stamps' }],
    // Second-factor enrolment grants and active keys (docs/enrolment.md).
    [`${kvMount}-enrolment`, { type: 'kv', options: { version: '2' }, description: '2FA enrolment grants' }],
    // The ops-host watcher: heartbeats, break-glass seal announcements, optionally its PagerDuty key (docs/monitoring.md).
    [`${kvMount}-watch`, { type: 'kv', options: { version: '2' }, description: 'vault-console watch' }],
  ];
  for (const [path, body] of wantMounts) {
    if (!(`${path}/` in mounts.data)) await call('POST', `sys/mounts/${path}`, body);
  }
  // Vault's audit log keeps an approval record's secret path and status readable (they are not
  // secrets), so the log alone proves what each identity wrote (docs/audit-mapping.md).
  await call('POST', `sys/mounts/${kvMount}-approvals/tune`, { audit_non_hmac_request_keys: ['path', 'status'] });
  await call('POST', `transit/keys/${BACKUP_TRANSIT_KEY}`, { type: 'aes256-gcm96' });
  // Vault logs the console's action header (names an action and ids, never a value) in clear.
  await call('POST', 'sys/config/auditing/request-headers/x-vault-console-action', { hmac: false });

  const auths = await call<{ data: Record<string, { accessor: string }> }>('GET', 'sys/auth');
  if (!('userpass/' in auths.data)) await call('POST', 'sys/auth/userpass', { type: 'userpass' });
  const authsAfter = await call<{ data: Record<string, { accessor: string }> }>('GET', 'sys/auth');
  const userpassAccessor = authsAfter.data['userpass/']?.accessor;
  if (!userpassAccessor) throw new Error('userpass auth method has no accessor after enabling it');

  for (const [name, policy] of await loadPolicies(kvMount)) {
    await call('PUT', `sys/policies/acl/${name}`, { policy });
  }

  const users: OpenBaoUsers = {
    admin: { username: 'admin', password: randomPassword() },
    secondAdmin: { username: 'admin2', password: randomPassword() },
    auditor: { username: 'auditor', password: randomPassword() },
    tenant: { username: `tenant-${DEMO_TENANT_ID}`, password: randomPassword(), tenantId: DEMO_TENANT_ID },
  };
  // Passwords are set on every start, so the state file always matches the server.
  await call('POST', 'auth/userpass/users/admin', { password: users.admin.password, token_policies: 'vault-console-admin', token_ttl: '1h' });
  await call('POST', 'auth/userpass/users/admin2', { password: users.secondAdmin.password, token_policies: 'vault-console-admin', token_ttl: '1h' });
  await call('POST', 'auth/userpass/users/auditor', { password: users.auditor.password, token_policies: 'vault-console-auditor', token_ttl: '1h' });
  await call('POST', `auth/userpass/users/${users.tenant.username}`, { password: users.tenant.password, token_ttl: '1h' });

  // The tenant policy is templated on entity metadata, so bind the user to an entity.
  const entity = await call<{ data?: { id: string } }>('POST', `identity/entity/name/${users.tenant.username}`, {
    policies: ['vault-console-tenant'],
    metadata: { tenant_id: DEMO_TENANT_ID },
  });
  const entityId =
    entity.data?.id ?? (await call<{ data: { id: string } }>('GET', `identity/entity/name/${users.tenant.username}`)).data.id;
  const lookup = await call<{ data?: { id: string } | null }>('POST', 'identity/lookup/entity', {
    alias_name: users.tenant.username,
    alias_mount_accessor: userpassAccessor,
  }).catch(() => ({ data: null }));
  if (!lookup.data) {
    await call('POST', 'identity/entity-alias', { name: users.tenant.username, canonical_id: entityId, mount_accessor: userpassAccessor });
  }
  return users;
}
