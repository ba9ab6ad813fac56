// Reveal lockout: 5 failed re-authentications (wrong password or wrong 2FA code) within
// 5 minutes lock reveals for that Vault user for 15 minutes. Kept in SQLite so a restart
// of the console does not reset it. Vault's own userpass lockout still applies on top.
//
// Security: an attempt is reserved before any Vault call (atomically, in SQLite), so
// parallel attempts cannot all pass the check: at most `maxFailures` attempts per window
// ever reach Vault. The key is the Vault (normalized address) and the Vault username,
// never the console's profile id nor the address spelling, so a new profile to the same
// Vault (localhost for 127.0.0.1, another DNS name) starts locked too.
import { AppError } from '../../../shared/errors';
import type { ReauthFailureReason, RevealRepo } from '../storage/reveal-repo';
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

/**
 * Who the lockout counts for: the Vault identity (entity id) of the signed-in user, which
 * every address of that Vault shares. Without one, the Vault a user signs in to and the
 * Vault username: addresses are compared as URL origins (scheme and host lowercased, default port
 * dropped, no path); userpass names are case-insensitive in Vault, so lowercased.
 */
export function lockoutSubject(address: string, username: string, entityId?: string | null): string {
  // Vault's own word for who this is: the same on every address that reaches that Vault.
  if (entityId) return `entity:${entityId}`;
  let origin: string;
  try {
    origin = new URL(address.trim()).origin;
  } catch {
    origin = address.trim().toLowerCase();
  }
  return `${origin}|${username.trim().toLowerCase()}`;
}

/** One reserved attempt; exactly one of failed / succeeded / release ends it. */
export interface ReauthAttempt {
  failed(reason: ReauthFailureReason): FailureOutcome;
  succeeded(): void;
  /** Ended without a wrong factor (Vault unreachable, ...): the reservation is returned. */
  release(): void;
}

export class RevealLockout {
  constructor(
    private readonly repo: RevealRepo,
    private readonly clock: Clock,
    readonly policy: LockoutPolicy = DEFAULT_LOCKOUT,
  ) {}

  /** Epoch ms until which the subject is locked, or null. */
  lockedUntil(subject: string): number | null {
    const until = this.repo.lockedUntil(subject);
    return until !== null && until > this.clock.now() ? until : null;
  }

  /** Reserve an attempt before any Vault call; PERMISSION_DENIED when locked or at the limit. */
  begin(subject: string): ReauthAttempt {
    const r = this.repo.reserve(subject, this.clock.now(), this.policy);
    if (!r.ok) {
      if (r.lockedUntil !== null) throw new AppError('PERMISSION_DENIED', `Too many failed attempts: viewing credentials is locked until ${clockTime(r.lockedUntil)}.`);
      throw new AppError('PERMISSION_DENIED', `Too many re-authentication attempts in the last ${Math.round(this.policy.windowMs / 60_000)} minutes; wait for the ones in progress, then try again.`);
    }
    const id = r.id;
    let done = false;
    const end = () => {
      if (done) return false;
      done = true;
      return true;
    };
    return {
      failed: (reason) => {
        if (!end()) return { failures: 0, lockedUntil: null };
        return this.repo.fail(id, subject, reason, this.clock.now(), this.policy);
      },
      succeeded: () => {
        if (end()) this.repo.succeed(id, subject);
      },
      release: () => {
        if (end()) this.repo.release(id);
      },
    };
  }
}

export function clockTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}
