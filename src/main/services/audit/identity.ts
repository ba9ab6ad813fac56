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

/** A name for an identity group: its most frequent user name (entity or pool noted). */
export function identityLabel(key: string, events: readonly Identified[]): { label: string; users: string[] } {
  const counts = new Map<string, number>();
  for (const e of events) if (e.user) counts.set(e.user, (counts.get(e.user) ?? 0) + 1);
  const users = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([u]) => u);
  if (key === TOKEN_POOL) return { label: `${TOKEN_POOL} (${users.slice(0, 3).join(', ')}${users.length > 3 ? ', …' : ''})`, users: users.slice(0, 20) };
  // Prefer a login name over the "token…" display names of the entity's child tokens.
  const best = users.find((u) => !tokenName(u)) ?? users[0] ?? key;
  return { label: key.startsWith('entity:') && users.length > 1 ? `${best} (and its tokens: ${users.filter((u) => u !== best).slice(0, 3).join(', ')})` : best, users: users.slice(0, 20) };
}
