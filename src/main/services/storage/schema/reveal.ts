// SQL of the reveal feature's migration (referenced from migrations.ts).
// Failed re-authentications and lockouts, per profile and Vault username, so that a
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
