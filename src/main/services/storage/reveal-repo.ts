// Re-authentication attempts and lockouts of the reveal feature, keyed by a subject:
// the normalized Vault address and the Vault username. Times and the factor that failed;
// never a password, a code or a token.
import type { SqlDatabase } from './database';

export type ReauthFailureReason = 'password' | 'code';

export interface AttemptPolicy {
  maxFailures: number;
  windowMs: number;
}

export type Reservation =
  | { ok: true; id: number }
  | { ok: false; lockedUntil: number | null; attempts: number };

export class RevealRepo {
  constructor(private readonly db: SqlDatabase) {}

  /**
   * Atomically (one IMMEDIATE transaction, so also against another console process on
   * this database): refuse when the subject is locked or already has `maxFailures`
   * attempts (failed or still running) in the window; otherwise record a pending attempt.
   * An expired lock is lifted here, with the attempts it counted.
   */
  reserve(subject: string, now: number, policy: AttemptPolicy): Reservation {
    return this.db
      .transaction((): Reservation => {
        const lock = this.db.prepare('SELECT until FROM reveal_locks WHERE subject = ?').get(subject) as { until: number } | undefined;
        if (lock && lock.until > now) return { ok: false, lockedUntil: lock.until, attempts: policy.maxFailures };
        if (lock) {
          this.db.prepare('DELETE FROM reveal_locks WHERE subject = ?').run(subject);
          this.db.prepare('DELETE FROM reveal_attempts WHERE subject = ?').run(subject);
        }
        const since = now - policy.windowMs;
        this.db.prepare('DELETE FROM reveal_attempts WHERE subject = ? AND at < ?').run(subject, since);
        const { n } = this.db.prepare('SELECT COUNT(*) AS n FROM reveal_attempts WHERE subject = ?').get(subject) as { n: number };
        if (n >= policy.maxFailures) return { ok: false, lockedUntil: null, attempts: n };
        const id = Number(this.db.prepare("INSERT INTO reveal_attempts (subject, at, state) VALUES (?, ?, 'pending')").run(subject, now).lastInsertRowid);
        return { ok: true, id };
      })
      .immediate();
  }

  /** The attempt failed: count it; lock the subject when the window holds `maxFailures` failures. */
  fail(id: number, subject: string, reason: ReauthFailureReason, now: number, policy: AttemptPolicy & { lockMs: number }): { failures: number; lockedUntil: number | null } {
    return this.db
      .transaction(() => {
        this.db.prepare('UPDATE reveal_attempts SET state = ? WHERE id = ? AND subject = ?').run(reason, id, subject);
        const { n } = this.db
          .prepare("SELECT COUNT(*) AS n FROM reveal_attempts WHERE subject = ? AND state != 'pending' AND at >= ?")
          .get(subject, now - policy.windowMs) as { n: number };
        if (n < policy.maxFailures) return { failures: n, lockedUntil: null };
        const until = now + policy.lockMs;
        this.db
          .prepare('INSERT INTO reveal_locks (subject, until, locked_at) VALUES (?, ?, ?) ON CONFLICT(subject) DO UPDATE SET until = max(until, excluded.until), locked_at = excluded.locked_at')
          .run(subject, until, now);
        const row = this.db.prepare('SELECT until FROM reveal_locks WHERE subject = ?').get(subject) as { until: number };
        return { failures: n, lockedUntil: row.until };
      })
      .immediate();
  }

  /** The attempt ended without a wrong factor (Vault unreachable, a bad request): it does not count. */
  release(id: number): void {
    this.db.prepare("DELETE FROM reveal_attempts WHERE id = ? AND state = 'pending'").run(id);
  }

  /** Both factors were right: forget the subject's failures (other attempts still running keep their reservation). */
  succeed(id: number, subject: string): void {
    this.db.prepare("DELETE FROM reveal_attempts WHERE subject = ? AND (state != 'pending' OR id = ?)").run(subject, id);
  }

  lockedUntil(subject: string): number | null {
    const row = this.db.prepare('SELECT until FROM reveal_locks WHERE subject = ?').get(subject) as { until: number } | undefined;
    return row?.until ?? null;
  }

  unlock(subject: string): void {
    this.db
      .transaction(() => {
        this.db.prepare('DELETE FROM reveal_locks WHERE subject = ?').run(subject);
        this.db.prepare('DELETE FROM reveal_attempts WHERE subject = ?').run(subject);
      })
      .immediate();
  }

  /** Attempts recorded for a subject (pending and failed), for tests and diagnostics. */
  attempts(subject: string): Array<{ at: number; state: 'pending' | ReauthFailureReason }> {
    return this.db.prepare('SELECT at, state FROM reveal_attempts WHERE subject = ? ORDER BY id').all(subject) as Array<{ at: number; state: 'pending' | ReauthFailureReason }>;
  }
}
