// The identities that hold admin policies, from Vault: which ACL policies are "admin"
// (they read or change every tenant's secret values, or can change policies and auth
// methods), and the userpass users, identity entities and groups that carry one,
// directly or through a group. Only policy text and names are read, never a secret.
import { AppError } from '../../../shared/errors';
import type { VaultClient } from '../vault/vault-client';

export interface PolicyVerdict {
  name: string;
  /** Why it counts as admin, e.g. `update on tenants/data/*`. */
  why: string;
}

export interface AdminIdentity {
  kind: 'userpass' | 'entity' | 'group';
  /** userpass: "<mount>/<user>"; entity and group: their name. */
  name: string;
  /** The admin policies it holds (through a group: "<policy> (group <name>)"). */
  policies: string[];
}

export interface AdminIdentitiesResult {
  /** False when Vault refused to list policies or identities for this session (the note says which). */
  complete: boolean;
  notes: string[];
  policies: PolicyVerdict[];
  identities: AdminIdentity[];
}

/** What makes a policy an admin policy: it reads or changes every tenant's secrets, or it can change who may. */
const ADMIN_PROBES: Array<{ path: (mount: string) => string; caps: string[] }> = [
  { path: (m) => `${m}/data/t-000000/smtp/admin`, caps: ['create', 'update', 'patch', 'delete', 'read'] },
  { path: (m) => `${m}/metadata/t-000000/smtp/admin`, caps: ['delete'] },
  { path: () => 'sys/policies/acl/vault-console-probe', caps: ['create', 'update', 'delete'] },
  { path: () => 'sys/auth/vault-console-probe', caps: ['create', 'update', 'sudo'] },
];
const BLOCK_RE = /path\s+"([^"]+)"\s*\{([^}]*)\}/g;
const CAPS_RE = /capabilities\s*=\s*\[([^\]]*)\]/;

/** Does a Vault ACL path pattern (glob `*` at the end, `+` for one segment) cover this concrete path? */
export function patternCovers(pattern: string, path: string): boolean {
  if (pattern.includes('{{')) return false; // templated: per identity, never every tenant
  const glob = pattern.endsWith('*');
  const pat = glob ? pattern.slice(0, -1) : pattern;
  const ps = pat.split('/');
  const xs = path.split('/');
  for (let i = 0; i < ps.length; i++) {
    const seg = ps[i]!;
    const last = i === ps.length - 1;
    const x = xs[i];
    if (x === undefined) return false;
    if (seg === '+') continue;
    if (last && glob) return x.startsWith(seg);
    if (seg !== x) return false;
  }
  return glob ? xs.length >= ps.length : xs.length === ps.length;
}

/** Why a policy's text makes it an admin policy for the tenants mount; null when it does not. */
export function adminReason(name: string, hcl: string, mount: string): string | null {
  if (name === 'root') return 'root policy';
  const blocks = [...hcl.replace(/#[^\n]*/g, '').matchAll(BLOCK_RE)].map((m) => ({
    pattern: m[1]!,
    caps: (CAPS_RE.exec(m[2] ?? '')?.[1] ?? '').split(',').map((c) => c.trim().replace(/^"|"$/g, '')).filter(Boolean),
  }));
  for (const probe of ADMIN_PROBES) {
    const path = probe.path(mount);
    for (const b of blocks) {
      if (b.caps.includes('deny') || !patternCovers(b.pattern, path)) continue;
      const hit = b.caps.filter((c) => probe.caps.includes(c));
      if (hit.length > 0) return `${hit.join(', ')} on ${b.pattern}`;
    }
  }
  return null;
}

async function list(client: VaultClient, path: string): Promise<string[]> {
  try {
    const r = await client.request<{ data?: { keys?: string[] } }>('LIST', path);
    return r?.data?.keys ?? [];
  } catch (err) {
    if (err instanceof AppError && err.code === 'NOT_FOUND') return [];
    throw err;
  }
}

function strings(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (typeof v === 'string' && v !== '') return v.split(',').map((s) => s.trim()).filter(Boolean);
  return [];
}

const MAX_ITEMS = 5000;

export async function adminIdentities(client: VaultClient, mount: string): Promise<AdminIdentitiesResult> {
  const notes: string[] = [];
  let complete = true;
  const guarded = async <T>(what: string, fn: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      complete = false;
      notes.push(`${what}: not readable with this session's policies (${err instanceof AppError ? err.code : 'error'}).`);
      return fallback;
    }
  };

  const admin = new Map<string, string>();
  const names = await guarded('ACL policies (sys/policies/acl)', () => list(client, 'sys/policies/acl'), [] as string[]);
  for (const name of [...names, 'root'].filter((n, i, a) => a.indexOf(n) === i).sort()) {
    if (name === 'root') {
      admin.set('root', 'root policy');
      continue;
    }
    const text = await guarded(`policy ${name}`, async () => (await client.request<{ data?: { policy?: string } }>('GET', `sys/policies/acl/${encodeURIComponent(name)}`))?.data?.policy ?? '', '');
    const why = adminReason(name, text, mount);
    if (why) admin.set(name, why);
  }
  const isAdmin = (p: string) => admin.has(p);
  const identities: AdminIdentity[] = [];

  // Groups first: an entity holds its groups' policies too.
  const groupAdmin = new Map<string, { name: string; policies: string[] }>();
  const groupIds = await guarded('identity groups', () => list(client, 'identity/group/id'), [] as string[]);
  for (const id of groupIds.slice(0, MAX_ITEMS)) {
    const g = await guarded(`group ${id}`, async () => (await client.request<{ data?: { name?: string; policies?: unknown; member_entity_ids?: unknown } }>('GET', `identity/group/id/${encodeURIComponent(id)}`))?.data ?? null, null);
    if (!g) continue;
    const pol = strings(g.policies).filter(isAdmin).sort();
    if (pol.length > 0) {
      groupAdmin.set(id, { name: g.name ?? id, policies: pol });
      identities.push({ kind: 'group', name: g.name ?? id, policies: pol });
    }
  }

  const entityIds = await guarded('identity entities', () => list(client, 'identity/entity/id'), [] as string[]);
  for (const id of entityIds.slice(0, MAX_ITEMS)) {
    const e = await guarded(`entity ${id}`, async () => (await client.request<{ data?: { name?: string; policies?: unknown; group_ids?: unknown; direct_group_ids?: unknown } }>('GET', `identity/entity/id/${encodeURIComponent(id)}`))?.data ?? null, null);
    if (!e) continue;
    const pol = strings(e.policies).filter(isAdmin);
    for (const gid of new Set([...strings(e.group_ids), ...strings(e.direct_group_ids)])) {
      const g = groupAdmin.get(gid);
      if (g) pol.push(...g.policies.map((p) => `${p} (group ${g.name})`));
    }
    if (pol.length > 0) identities.push({ kind: 'entity', name: e.name ?? id, policies: [...new Set(pol)].sort() });
  }

  const auths = await guarded('auth methods (sys/auth)', async () => {
    const r = await client.request<Record<string, { type?: string }> & { data?: Record<string, { type?: string }> }>('GET', 'sys/auth');
    return (r.data ?? r) as Record<string, { type?: string }>;
  }, {} as Record<string, { type?: string }>);
  for (const [path, a] of Object.entries(auths).sort(([x], [y]) => (x < y ? -1 : 1))) {
    if (!a || a.type !== 'userpass') continue;
    const mountPath = path.replace(/\/+$/, '');
    const users = await guarded(`userpass users at ${mountPath}`, () => list(client, `auth/${mountPath}/users`), [] as string[]);
    for (const u of users.slice(0, MAX_ITEMS)) {
      const d = await guarded(`userpass user ${u}`, async () => (await client.request<{ data?: { token_policies?: unknown; policies?: unknown } }>('GET', `auth/${mountPath}/users/${encodeURIComponent(u)}`))?.data ?? null, null);
      if (!d) continue;
      const pol = [...new Set([...strings(d.token_policies), ...strings(d.policies)])].filter(isAdmin).sort();
      if (pol.length > 0) identities.push({ kind: 'userpass', name: `${mountPath}/${u}`, policies: pol });
    }
  }
  identities.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    complete,
    notes,
    policies: [...admin.entries()].map(([name, why]) => ({ name, why })).sort((a, b) => (a.name < b.name ? -1 : 1)),
    identities,
  };
}
