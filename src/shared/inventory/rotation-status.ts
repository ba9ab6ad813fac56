// How a secret's rotation state is classified from its custom_metadata alone, and the
// colour the UI gives it. Pure: shared by main (index, CLI), the renderer and the seeder.
// docs/vault-layout.md ("How a secret's rotation state is classified") describes the rules.

export type RotationBucket = 'healthy' | 'due30' | 'due7' | 'overdue' | 'expired' | 'revoked';
/** A bucket, or "unknown" when the metadata cannot be classified (the reason travels with it). */
export type SecretHealth = RotationBucket | 'unknown';
export type StatusColour = 'red' | 'yellow' | 'green' | 'grey';

export const DAY_MS = 86_400_000;

/** Classify from metadata; a missing or unparsable next_rotation counts as healthy (the seeder's rule). */
export function classify(md: Record<string, string>, now: Date): RotationBucket {
  if (md.status === 'revoked') return 'revoked';
  if (md.status === 'expired') return 'expired';
  const next = Date.parse(md.next_rotation ?? '');
  if (Number.isNaN(next)) return 'healthy';
  return bucketByNext(next, now.getTime());
}

export function bucketByNext(nextMs: number, nowMs: number): RotationBucket {
  const days = (nextMs - nowMs) / DAY_MS;
  if (days < 0) return 'overdue';
  if (days <= 7) return 'due7';
  if (days <= 30) return 'due30';
  return 'healthy';
}

/** Spec colours: red expired/overdue, yellow due within 7 days, green otherwise; grey unknown or revoked. */
export function statusColour(h: SecretHealth): StatusColour {
  switch (h) {
    case 'expired':
    case 'overdue':
      return 'red';
    case 'due7':
      return 'yellow';
    case 'healthy':
    case 'due30':
      return 'green';
    default:
      return 'grey';
  }
}

export const HEALTH_LABEL: Record<SecretHealth, string> = {
  healthy: 'Healthy',
  due30: 'Due in 30 days',
  due7: 'Due in 7 days',
  overdue: 'Overdue',
  expired: 'Expired',
  revoked: 'Revoked',
  unknown: 'Unknown',
};

/** Worse first: the order used to pick a tenant's column status and to sort by it. */
export const HEALTH_SEVERITY: Record<SecretHealth | 'none', number> = {
  expired: 0,
  overdue: 1,
  unknown: 2,
  due7: 3,
  due30: 4,
  healthy: 5,
  revoked: 6,
  none: 7,
};

export function worst(list: readonly SecretHealth[]): SecretHealth | 'none' {
  let best: SecretHealth | 'none' = 'none';
  for (const h of list) if (HEALTH_SEVERITY[h] < HEALTH_SEVERITY[best]) best = h;
  return best;
}

/** "admin@example-1.com" → "admin@*****.com": the local part and the TLD stay, the domain is hidden. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return '*****';
  const domain = address.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const tld = dot >= 0 ? domain.slice(dot) : '';
  return `${address.slice(0, at)}@*****${tld}`;
}

/**
 * A table column's health from its aggregate: the worst static state of its secrets and
 * the earliest next_rotation of the active ones. Mirrors severitySql() in the repo.
 */
export function columnHealth(state: string, next: number | null, nowMs: number): SecretHealth | 'none' {
  if (state === 'expired') return 'expired';
  if (next !== null && next < nowMs) return 'overdue';
  if (state === 'unknown') return 'unknown';
  if (state === 'none') return 'none';
  if (next === null) return state === 'revoked' ? 'revoked' : 'healthy';
  return bucketByNext(next, nowMs);
}
