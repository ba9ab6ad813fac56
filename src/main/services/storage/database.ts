// The local SQLite database: metadata index, jobs, audit events, settings.
// The only module (with its migrations) that imports better-sqlite3.
// Never store a secret value, a token or a key here.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../../../shared/errors';
import { migrate, MIGRATIONS, type Migration } from './migrations';

export type SqlDatabase = Database.Database;

export interface OpenOptions {
  /** For tests of a single migration. */
  migrations?: readonly Migration[];
  readonly?: boolean;
}

export function openDatabase(path: string, opts: OpenOptions = {}): SqlDatabase {
  if (path !== ':memory:') {
    const dir = dirname(path);
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  let db: SqlDatabase;
  try {
    db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  } catch (err) {
    throw new AppError('INTERNAL', `Cannot open the local database at ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (path !== ':memory:' && !opts.readonly) chmodSync(path, 0o600);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  if (!opts.readonly) migrate(db, opts.migrations ?? MIGRATIONS);
  return db;
}

/** Run fn in one transaction (better-sqlite3 transactions are synchronous). */
export function inTransaction<T>(db: SqlDatabase, fn: () => T): T {
  return db.transaction(fn)();
}
