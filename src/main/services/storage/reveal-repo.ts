// Failed re-authentications and lockouts for the reveal feature. Times (epoch ms)
// and the factor that failed; never a password, a code or a token.
import type { SqlDatabase } from './database';

export type ReauthFailureReason = 'password' | 'code';

export interface UserKey {
  profileId: string;
  username: string;
}

export class RevealRepo {
  constructor(private readonly db: SqlDatabase) {}

  addFailure(user: UserKey, at: number, reason: ReauthFailureReason): void {
    this.db.prepare('INSERT INTO reveal_failures (profile_id, username, at, reason) VALUES (?, ?, ?, ?)').run(user.profileId, user.username, at, reason);
  }

  countFailuresSince(user: UserKey, since: number): number {
    const row = this.db
      .prepare('SELECT COUNT(*) AS n FROM reveal_failures WHERE profile_id = ? AND username = ? AND at >= ?')
      .get(user.profileId, user.username, since) as { n: number };
    return row.n;
  }

  /** Forget failures older than `before` (keeps the table small) or all of a user's after a success. */
  clearFailures(user: UserKey, before?: number): void {
    if (before === undefined) this.db.prepare('DELETE FROM reveal_failures WHERE profile_id = ? AND username = ?').run(user.profileId, user.username);
    else this.db.prepare('DELETE FROM reveal_failures WHERE profile_id = ? AND username = ? AND at < ?').run(user.profileId, user.username, before);
  }

  lockedUntil(user: UserKey): number | null {
    const row = this.db.prepare('SELECT until FROM reveal_lockouts WHERE profile_id = ? AND username = ?').get(user.profileId, user.username) as
      | { until: number }
      | undefined;
    return row?.until ?? null;
  }

  lock(user: UserKey, at: number, until: number): void {
    this.db
      .prepare(
        'INSERT INTO reveal_lockouts (profile_id, username, until, locked_at) VALUES (?, ?, ?, ?) ON CONFLICT(profile_id, username) DO UPDATE SET until = excluded.until, locked_at = excluded.locked_at',
      )
      .run(user.profileId, user.username, until, at);
  }

  unlock(user: UserKey): void {
    this.db.prepare('DELETE FROM reveal_lockouts WHERE profile_id = ? AND username = ?').run(user.profileId, user.username);
  }
}
