// SQL of the reveal feature's migration (referenced from migrations.ts).
// Migration 6: failed re-authentications and lockouts, per profile and Vault username, so that a
// restart of the console never resets a lockout. Times and reasons only: never a
// password, a code or a token.
import type Database from 'better-sqlite3';

export const REVEAL_SCHEMA_V1 = `
  CREATE TABLE reveal_failures (
    id         INTEGER PRIMARY KEY,
    profile_id TEXT NOT NULL,
    username   TEXT NOT NULL,
    at         INTEGER NOT NULL,
    reason     TEXT NOT NULL CHECK (reason IN ('password', 'code'))
  ) STRICT;
  CREATE INDEX reveal_failures_user_at ON reveal_failures (profile_id, username, at);

  CREATE TABLE reveal_lockouts (
    profile_id TEXT NOT NULL,
    username   TEXT NOT NULL,
    until      INTEGER NOT NULL,
    locked_at  INTEGER NOT NULL,
    PRIMARY KEY (profile_id, username)
  ) STRICT;
`;

export function createRevealSchema(db: Database.Database): void {
  db.exec(REVEAL_SCHEMA_V1);
}

// Migration 11: attempts and locks keyed by the Vault a user signs in to (normalized
// address) and the Vault username, not by the console's profile id: a second profile to
// the same Vault must not start from zero. An attempt is reserved ('pending') before any
// Vault call, so parallel attempts cannot all pass the check; it becomes a failure or is
// released (success, Vault unreachable). Existing failures and locks are carried over.
export const REVEAL_SCHEMA_V2 = `
  CREATE TABLE reveal_attempts (
    id       INTEGER PRIMARY KEY,
    subject  TEXT NOT NULL,
    at       INTEGER NOT NULL,
    state    TEXT NOT NULL CHECK (state IN ('pending', 'password', 'code'))
  ) STRICT;
  CREATE INDEX reveal_attempts_subject_at ON reveal_attempts (subject, at);

  CREATE TABLE reveal_locks (
    subject   TEXT PRIMARY KEY,
    until     INTEGER NOT NULL,
    locked_at INTEGER NOT NULL
  ) STRICT;

  INSERT INTO reveal_attempts (subject, at, state)
    SELECT p.address || '|' || lower(f.username), f.at, f.reason
    FROM reveal_failures f JOIN connection_profiles p ON p.id = f.profile_id;
  INSERT INTO reveal_locks (subject, until, locked_at)
    SELECT p.address || '|' || lower(l.username), max(l.until), max(l.locked_at)
    FROM reveal_lockouts l JOIN connection_profiles p ON p.id = l.profile_id
    GROUP BY p.address || '|' || lower(l.username);

  DROP TABLE reveal_failures;
  DROP TABLE reveal_lockouts;
`;

export function keyRevealAttemptsByVaultUser(db: Database.Database): void {
  db.exec(REVEAL_SCHEMA_V2);
}
