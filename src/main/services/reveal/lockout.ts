// Reveal lockout: 5 failed re-authentications (wrong password or wrong 2FA code) within
// 5 minutes lock reveals for that user for 15 minutes. Kept in SQLite so a restart of the
// console does not reset it. Vault's own userpass lockout still applies on top of this.
import type { ReauthFailureReason, RevealRepo, UserKey } from '../storage/reveal-repo';
import type { Clock } from '../time/clock';

export interface LockoutPolicy {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = { maxFailures: 5, windowMs: 5 * 60_000, lockMs: 15 * 60_000 };

export interface FailureOutcome {
  failures: number;
  /** Set when this failure locked the user. */
  lockedUntil: number | null;
}

export class RevealLockout {
  constructor(
    private readonly repo: RevealRepo,
    private readonly clock: Clock,
    readonly policy: LockoutPolicy = DEFAULT_LOCKOUT,
  ) {}

  /** Epoch ms until which the user is locked, or null. An expired lock is removed. */
  lockedUntil(user: UserKey): number | null {
    const until = this.repo.lockedUntil(user);
    if (until === null) return null;
    if (until > this.clock.now()) return until;
    this.repo.unlock(user);
    this.repo.clearFailures(user);
    return null;
  }

  recordFailure(user: UserKey, reason: ReauthFailureReason): FailureOutcome {
    const now = this.clock.now();
    const since = now - this.policy.windowMs;
    this.repo.clearFailures(user, since);
    this.repo.addFailure(user, now, reason);
    const failures = this.repo.countFailuresSince(user, since);
    if (failures < this.policy.maxFailures) return { failures, lockedUntil: null };
    const until = now + this.policy.lockMs;
    this.repo.lock(user, now, until);
    return { failures, lockedUntil: until };
  }

  recordSuccess(user: UserKey): void {
    this.repo.clearFailures(user);
  }
}
