// Spreads rotation dates so seeded data exercises every state the console shows:
// healthy, due within 30 days, due within 7 days, overdue, expired and revoked.
import type { RotationBucket } from '../../../shared/inventory/rotation-status';
import { MD, ROTATION_DAYS, type SecretStatus, type SecretType } from './layout';
import type { Rng } from './rng';

export type { RotationBucket };

const DAY = 86_400_000;

// Cumulative weights. Revoked only applies to API keys (a revoked SSH key or
// DKIM key is simply rotated); other types fall back to expired.
const WEIGHTS: Array<[RotationBucket, number]> = [
  ['healthy', 0.5],
  ['due30', 0.15],
  ['due7', 0.1],
  ['overdue', 0.12],
  ['expired', 0.07],
  ['revoked', 0.06],
];

export function pickBucket(rng: Rng, type: Exclude<SecretType, 'profile'>): RotationBucket {
  let r = rng.next();
  for (const [bucket, w] of WEIGHTS) {
    if (r < w) return bucket === 'revoked' && type !== 'api' ? 'expired' : bucket;
    r -= w;
  }
  return 'healthy';
}

export interface RotationState {
  bucket: RotationBucket;
  status: SecretStatus;
  lastRotated: Date;
  nextRotation: Date;
  rotationDays: number;
}

/** Days from now until next rotation, per bucket (negative = in the past). */
function daysUntilNext(rng: Rng, bucket: RotationBucket, period: number): number {
  switch (bucket) {
    case 'healthy':
      return rng.int(31, Math.max(31, period - 1)) + rng.next();
    case 'due30':
      return rng.int(8, 29) + rng.next();
    case 'due7':
      return rng.int(0, 6) + rng.next() * 0.99 + 0.01;
    case 'overdue':
      return -(rng.int(1, 30) + rng.next());
    case 'expired':
    case 'revoked':
      return -(rng.int(31, 200) + rng.next());
  }
}

export function planRotation(rng: Rng, type: Exclude<SecretType, 'profile'>, now: Date): RotationState {
  const bucket = pickBucket(rng, type);
  const rotationDays = ROTATION_DAYS[type];
  const next = new Date(Math.floor((now.getTime() + daysUntilNext(rng, bucket, rotationDays) * DAY) / 1000) * 1000);
  const last = new Date(next.getTime() - rotationDays * DAY);
  const status: SecretStatus = bucket === 'expired' ? 'expired' : bucket === 'revoked' ? 'revoked' : 'active';
  return { bucket, status, lastRotated: last, nextRotation: next, rotationDays };
}

export function rotationMetadata(state: RotationState): Record<string, string> {
  return {
    [MD.status]: state.status,
    [MD.lastRotated]: state.lastRotated.toISOString(),
    [MD.nextRotation]: state.nextRotation.toISOString(),
    [MD.rotationDays]: String(state.rotationDays),
  };
}

// classify() moved to src/shared/inventory/rotation-status.ts (the inventory and the UI use it too).
export { classify } from '../../../shared/inventory/rotation-status';
