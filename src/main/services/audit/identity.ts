// How the detectors tell identities apart, the way Vault does: by identity entity
// when the token has one (a child token, a batch token and the login that made them
// share their entity, whatever display name or metadata they carry), else by the
// normalised name. Tokens with no entity (root, tokens minted by the token store)
// are one pool: whoever holds them is not a known identity, so spreading reads over
// many of them must not spread them below a threshold.
import type { AuditRecord } from './audit-record';

export const TOKEN_POOL = 'tokens without an identity';

export type Identified = Pick<AuditRecord, 'user' | 'entityId'>;

function tokenName(user: string): boolean {
  return user === 'root' || user === 'token' || user.startsWith('token-');
}

/** The key an identity is counted under; null when the event names no identity at all. */
export function identityKey(e: Identified): string | null {
  if (e.entityId) return `entity:${e.entityId}`;
  if (!e.user) return null;
  if (tokenName(e.user)) return TOKEN_POOL;
  return `user:${e.user}`;
}

/** Same identity as Vault would see it (entity when both have one, else the normalised name). */
export function sameIdentity(a: Identified, b: Identified): boolean {
  if (a.entityId && b.entityId) return a.entityId === b.entityId;
  return a.user !== '' && a.user === b.user;
}

/** Login names of entities, from Vault's record of successful logins (entity id → name). */
export type EntityNames = ReadonlyMap<string, string>;

/**
 * A name for an identity group: the name its entity signed in with (Vault's record of
 * the login), else its most frequent non-token name; the tokens' names follow. users:
 * every name the group's events carry plus the login name (the user filter matches one).
 */
export function identityLabel(key: string, events: readonly Identified[], names: EntityNames = new Map()): { label: string; users: string[] } {
  const counts = new Map<string, number>();
  for (const e of events) if (e.user) counts.set(e.user, (counts.get(e.user) ?? 0) + 1);
  let users = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([u]) => u);
  if (key === TOKEN_POOL) {
    if (users.length === 1) return { label: users[0]!, users };
    return { label: `${TOKEN_POOL} (${users.slice(0, 3).join(', ')}${users.length > 3 ? ', …' : ''})`, users: users.slice(0, 100) };
  }
  const login = key.startsWith('entity:') ? names.get(key.slice('entity:'.length)) : undefined;
  if (login && !users.includes(login)) users = [login, ...users];
  // Prefer a login name over the "token…" display names of the entity's child tokens.
  const best = login ?? users.find((u) => !tokenName(u)) ?? (key.startsWith('entity:') ? `entity ${key.slice(7, 15)}` : users[0] ?? key);
  const others = users.filter((u) => u !== best);
  return { label: key.startsWith('entity:') && others.length > 0 ? `${best} (and its tokens: ${others.slice(0, 3).join(', ')}${others.length > 3 ? ', …' : ''})` : best, users: users.slice(0, 100) };
}
