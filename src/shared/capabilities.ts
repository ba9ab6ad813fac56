// What each console action needs from Vault, as (exact path, capabilities) pairs, and
// the decision with its reason. The UI asks before it offers an action (a disabled
// control with the reason next to it), and main asks again before the action's first
// Vault call (handlers/guards.ts), so a forbidden action never half-happens.
//
// The paths are the ones the action touches, built from its parameters (tenant, secret,
// approval id): sys/capabilities-self answers for concrete paths, and so do we.
// Pure and zod-free: the renderer imports it.
import { checkTenantId, parseTarget, RuleError, targetOfPath } from './rotation/rules';

export type Capability = 'create' | 'read' | 'update' | 'patch' | 'delete' | 'list' | 'sudo';

export interface Need {
  /** A concrete Vault API path (no leading "v1/"), as sys/capabilities-self takes it. */
  path: string;
  /** Every capability listed is required. */
  caps: Capability[];
}

/** What main knows about the cluster that some actions' paths depend on. */
export interface GateContext {
  kvMount: string;
  /** The backup settings' transit key (absent: backups are not configured). */
  transit: { mount: string; key: string } | null;
  /** Vault's storage (sys/seal-status storage_type); decides raft snapshot vs logical backup. */
  storage: 'raft' | 'other' | null;
}

/** Every action the console gates, with its parameters. */
export type GateCheck =
  | { action: 'vault.seal' }
  | { action: 'tenants.sync' }
  | { action: 'secrets.history'; tenantId: string; path: string }
  | { action: 'secrets.rotate'; tenantId: string; target: string }
  | { action: 'secrets.emergency-reset'; tenantId: string; which: 'smtp' | 'ssh' }
  | { action: 'secrets.reveal'; tenantId: string }
  | { action: 'ssh.download'; tenantId: string }
  | { action: 'dkim.dns'; tenantId: string; domain: string }
  | { action: 'dkim.check'; tenantId: string; domains: string[] }
  | { action: 'dkim.retire'; tenantId: string; domain: string }
  | { action: 'apikeys.revoke'; tenantId: string; keyId: string }
  | { action: 'schedules.save'; exists: boolean }
  | { action: 'approvals.request' }
  | { action: 'approvals.approve'; id: string }
  | { action: 'approvals.delete'; id: string; path: string }
  | { action: 'backup.run'; kind: 'auto' | 'raft' | 'logical' }
  | { action: 'backup.restore'; scope: 'raft' | 'mount' | 'tenant'; tenantId?: string }
  | { action: 'enrolment.grant' }
  | { action: 'audit.devices' };

export type GateAction = GateCheck['action'];

export const GATE_ACTIONS = [
  'vault.seal',
  'tenants.sync',
  'secrets.history',
  'secrets.rotate',
  'secrets.emergency-reset',
  'secrets.reveal',
  'ssh.download',
  'dkim.dns',
  'dkim.check',
  'dkim.retire',
  'apikeys.revoke',
  'schedules.save',
  'approvals.request',
  'approvals.approve',
  'approvals.delete',
  'backup.run',
  'backup.restore',
  'enrolment.grant',
  'audit.devices',
] as const satisfies readonly GateAction[];

export const GATE_LABELS: Record<GateAction, string> = {
  'vault.seal': 'Seal Vault',
  'tenants.sync': 'Sync the tenant index',
  'secrets.history': 'View rotation history',
  'secrets.rotate': 'Rotate Now',
  'secrets.emergency-reset': 'Emergency Reset',
  'secrets.reveal': 'View Credentials',
  'ssh.download': 'Download the tenant SSH key',
  'dkim.dns': 'View DNS records',
  'dkim.check': 'Check DNS now',
  'dkim.retire': 'Retire the previous DKIM selector',
  'apikeys.revoke': 'Revoke the API key',
  'schedules.save': 'Save rotation schedules',
  'approvals.request': 'Request a deletion',
  'approvals.approve': 'Approve a deletion',
  'approvals.delete': 'Delete the secret',
  'backup.run': 'Force Backup Now',
  'backup.restore': 'Restore a backup',
  'enrolment.grant': 'Grant a 2FA enrolment',
  'audit.devices': "Follow Vault's file audit device",
};

/** The shared rotation schedules' entry (rotation/schedules-store.ts). */
export const SCHEDULES_LEAF = '_rotation-schedules';
/**
 * Request ids are random and made at request time, so the request's own path cannot be
 * known before; this id has the real ones' shape, so any policy that matches
 * requests/<id> matches it the same way.
 */
export const APPROVAL_ID_PLACEHOLDER = 'apr-0000000000000000';

const APPROVAL_RE = /^apr-[0-9a-f]{16}$/;

export class GateInputError extends Error {}

/** The rotation rules' parsing, with their message; a bad parameter names nothing to check. */
function rule<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new GateInputError(err instanceof RuleError ? err.message : 'Invalid parameters.');
  }
}

/** Any path inside a tenant's folder (a deletion may name any of its secrets). */
function tenantPath(path: string): string {
  const seg = path.split('/');
  if (seg.length < 2 || seg.some((x) => !/^[A-Za-z0-9@][A-Za-z0-9._@-]{0,252}$/.test(x) || x === '..')) throw new GateInputError('Not a tenant secret path.');
  tenant(seg[0]!);
  return path;
}

function tenant(id: string): string {
  return rule(() => checkTenantId(id));
}

/** A tenant secret of the layout (docs/vault-layout.md): <tenant>/profile or a rotatable secret. */
function secretPath(path: string): string {
  const t = path.split('/')[0] ?? '';
  if (path === `${t}/profile` && t !== '') return `${tenant(t)}/profile`;
  const parsed = targetOfPath(path);
  if (!parsed) throw new GateInputError('Not a tenant secret path.');
  return parsed.path;
}

function kvData(ctx: GateContext, rel: string): string {
  return `${ctx.kvMount}/data/${rel}`;
}

function kvMeta(ctx: GateContext, rel: string): string {
  return `${ctx.kvMount}/metadata/${rel}`;
}

/** A rotation writes the new version (check-and-set on what it read) and patches the rotation state. */
function rotationNeeds(ctx: GateContext, rel: string): Need[] {
  return [
    { path: kvData(ctx, rel), caps: ['read', 'update'] },
    { path: kvMeta(ctx, rel), caps: ['patch'] },
  ];
}

/**
 * The exact Vault paths and capabilities an action needs. Throws GateInputError for
 * parameters that name nothing the layout has (the action itself would refuse them).
 */
export function needsOf(check: GateCheck, ctx: GateContext): Need[] {
  switch (check.action) {
    case 'vault.seal':
      return [{ path: 'sys/seal', caps: ['update', 'sudo'] }];
    case 'tenants.sync':
      return [{ path: `${ctx.kvMount}/metadata`, caps: ['list'] }];
    case 'secrets.history': {
      const path = secretPath(check.path);
      if (!path.startsWith(`${tenant(check.tenantId)}/`)) throw new GateInputError('Not a secret of this tenant.');
      return [{ path: kvMeta(ctx, path), caps: ['read'] }];
    }
    case 'secrets.rotate': {
      return rotationNeeds(ctx, rule(() => parseTarget(check.tenantId, check.target)).path);
    }
    case 'secrets.emergency-reset': {
      const t = tenant(check.tenantId);
      const leaves = check.which === 'smtp' ? ['smtp/admin'] : ['ssh/admin', 'ssh/tenant'];
      return leaves.flatMap((l) => rotationNeeds(ctx, `${t}/${l}`));
    }
    case 'secrets.reveal': {
      const rel = `${tenant(check.tenantId)}/smtp/admin`;
      return [
        { path: kvData(ctx, rel), caps: ['read'] },
        { path: kvMeta(ctx, rel), caps: ['read'] },
      ];
    }
    case 'ssh.download': {
      const rel = `${tenant(check.tenantId)}/ssh/tenant`;
      // The key is read, then its last_downloaded time written to the metadata.
      return [
        { path: kvData(ctx, rel), caps: ['read'] },
        { path: kvMeta(ctx, rel), caps: ['read', 'update'] },
      ];
    }
    case 'dkim.dns': {
      return [{ path: kvData(ctx, rule(() => parseTarget(check.tenantId, `dkim:${check.domain}`)).path), caps: ['read'] }];
    }
    case 'dkim.check': {
      // Reads each key (its public part) and records what DNS showed in its metadata.
      const t = tenant(check.tenantId);
      return check.domains.flatMap((d) => {
        const rel = rule(() => parseTarget(t, `dkim:${d}`)).path;
        return [
          { path: kvData(ctx, rel), caps: ['read'] as Capability[] },
          { path: kvMeta(ctx, rel), caps: ['read', 'patch'] as Capability[] },
        ];
      });
    }
    case 'dkim.retire': {
      // Writes a version without the previous selector (check-and-set) and its metadata.
      return rotationNeeds(ctx, rule(() => parseTarget(check.tenantId, `dkim:${check.domain}`)).path);
    }
    case 'apikeys.revoke': {
      // Merged into the metadata with KV v2 PATCH (a rotation landing at once keeps its fields).
      return [{ path: kvMeta(ctx, rule(() => parseTarget(check.tenantId, `api:${check.keyId}`)).path), caps: ['read', 'patch'] }];
    }
    case 'schedules.save':
      // Check-and-set: creating the entry needs create, changing it needs update.
      return [{ path: kvData(ctx, SCHEDULES_LEAF), caps: check.exists ? ['read', 'update'] : ['read', 'create'] }];
    case 'approvals.request':
      return [{ path: `${ctx.kvMount}-approvals/data/requests/${APPROVAL_ID_PLACEHOLDER}`, caps: ['create'] }];
    case 'approvals.approve': {
      if (!APPROVAL_RE.test(check.id)) throw new GateInputError('Not an approval id.');
      return [{ path: `${ctx.kvMount}-approvals/data/requests/${check.id}`, caps: ['read', 'update'] }];
    }
    case 'approvals.delete': {
      if (!APPROVAL_RE.test(check.id)) throw new GateInputError('Not an approval id.');
      return [
        { path: `${ctx.kvMount}-approvals/data/requests/${check.id}`, caps: ['read', 'update'] },
        { path: kvMeta(ctx, tenantPath(check.path)), caps: ['delete'] },
      ];
    }
    case 'backup.run': {
      const out: Need[] = [];
      if (ctx.transit) out.push({ path: `${ctx.transit.mount}/encrypt/${ctx.transit.key}`, caps: ['update'] });
      const raft = check.kind === 'raft' || (check.kind === 'auto' && ctx.storage === 'raft');
      // A logical backup lists the mount and reads every secret; the listing is where it starts.
      out.push(raft ? { path: 'sys/storage/raft/snapshot', caps: ['read'] } : { path: `${ctx.kvMount}/metadata`, caps: ['list'] });
      return out;
    }
    case 'backup.restore': {
      const out: Need[] = [];
      if (ctx.transit) out.push({ path: `${ctx.transit.mount}/decrypt/${ctx.transit.key}`, caps: ['update'] });
      // A snapshot restore runs with credentials typed again for it (their policies decide);
      // a logical restore writes new versions with this session.
      if (check.scope === 'tenant' && check.tenantId !== undefined && check.tenantId !== '') {
        out.push({ path: kvData(ctx, `${tenant(check.tenantId)}/profile`), caps: ['create', 'update'] });
      } else if (check.scope === 'mount') {
        out.push({ path: `${ctx.kvMount}/metadata`, caps: ['list'] });
      }
      return out;
    }
    case 'enrolment.grant':
      // The grantee's exact paths need their identity; the enrolment service checks those
      // before it writes anything. Offered to whoever may look identities up at all.
      return [{ path: 'identity/lookup/entity', caps: ['update'] }];
    case 'audit.devices':
      // Listing audit devices needs sudo in Vault and OpenBao, though it only reads.
      return [{ path: 'sys/audit', caps: ['read', 'sudo'] }];
  }
}

export interface Missing {
  path: string;
  caps: Capability[];
}

export interface ActionPermission {
  allowed: boolean;
  /** Why not, in one sentence the UI shows next to the disabled control; null when allowed. */
  reason: string | null;
  /** The first path whose capabilities are missing, for tests and logs. */
  missing: Missing | null;
}

/** Vault's answer for one path, without "deny" (Vault says ["deny"] for "nothing granted" too). */
function held(granted: Record<string, readonly string[]>, path: string): string[] {
  return (granted[path] ?? []).filter((c) => c !== 'deny');
}

/** Decide an action from the capabilities Vault reported per path. */
export function decide(needs: readonly Need[], granted: Record<string, readonly string[]>, policies: readonly string[]): ActionPermission {
  for (const need of needs) {
    const have = held(granted, need.path);
    if (have.includes('root')) continue;
    const missing = need.caps.filter((c) => !have.includes(c));
    if (missing.length > 0) {
      const m = { path: need.path, caps: missing };
      return { allowed: false, reason: deniedReason(m, policies), missing: m };
    }
  }
  return { allowed: true, reason: null, missing: null };
}

/** "Needs update and sudo on sys/seal; not granted to your policies (vault-console-auditor)." */
export function deniedReason(m: Missing, policies: readonly string[]): string {
  const named = policies.filter((p) => p !== 'default');
  const who = named.length > 0 ? named.join(', ') : policies.length > 0 ? 'default' : 'none';
  const caps = m.caps.length > 1 ? `${m.caps.slice(0, -1).join(', ')} and ${m.caps[m.caps.length - 1]}` : m.caps[0];
  return `Needs ${caps} on ${m.path}; not granted to your policies (${who}).`;
}

/** Every distinct path of a set of needs, for one capabilities-self call. */
export function pathsOf(needs: readonly Need[]): string[] {
  return [...new Set(needs.map((n) => n.path))];
}

/** A stable key for a check (the renderer caches answers by it). */
export function gateKey(check: GateCheck): string {
  return JSON.stringify(Object.keys(check).sort().map((k) => [k, (check as unknown as Record<string, unknown>)[k]]));
}
