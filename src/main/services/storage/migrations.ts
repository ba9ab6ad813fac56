// Numbered schema migrations. Each runs once, in a transaction, and moves
// PRAGMA user_version to its number. Never edit a shipped migration: add one.
import type Database from 'better-sqlite3';
import { addProfileEnvironmentAndActiveChoice, createProfilesSchema } from './schema/profiles';
import { createInventorySchema, refoldInventorySearch } from './schema/inventory';
import { createAuditIncidentSchema, createAuditSchema, createAuditSearchSchema, createAuditUserActionIndex, createAuditVaultRecordSchema } from './schema/audit';
import { createAuditHousekeepingSchema, redefineHousekeepingColumn } from './schema/audit-housekeeping';
import { normalizeUser } from '../../../shared/audit/audit-rules';
import { createBackupSchema } from './schema/backup';
import { createRevealSchema, keyRevealAttemptsByVaultUser } from './schema/reveal';
import { createRotationIncidentSchema, createRotationSchema } from './schema/rotation';
import { createDkimDnsSchema } from './schema/dkim-dns';
import { createAuditSourceSchema } from './schema/audit-source';
import { createWatchSchema } from './schema/watch';

export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'settings',
    up(db) {
      db.exec(`
        CREATE TABLE settings (
          key        TEXT PRIMARY KEY,
          value      TEXT NOT NULL,
          updated_at TEXT NOT NULL
        ) STRICT;
      `);
    },
  },
  { version: 2, name: 'connection profiles', up: createProfilesSchema },
  { version: 3, name: 'inventory index', up: createInventorySchema },
  { version: 4, name: 'audit events', up: createAuditSchema },
  { version: 5, name: 'backup catalog', up: createBackupSchema },
  { version: 6, name: 'reveal lockouts', up: createRevealSchema },
  { version: 7, name: 'rotation jobs', up: createRotationSchema },
  { version: 8, name: 'audit free-text search', up: createAuditSearchSchema },
  { version: 9, name: 'audit user + action index', up: createAuditUserActionIndex },
  { version: 10, name: 'profile DNS resolvers (DKIM)', up: createDkimDnsSchema },
  { version: 11, name: 'reveal attempts by Vault address and user', up: keyRevealAttemptsByVaultUser },
  { version: 12, name: 'profile environment and explicit active profile', up: addProfileEnvironmentAndActiveChoice },
  { version: 13, name: "audit: Vault's record decides the action", up: (db) => createAuditVaultRecordSchema(db as unknown as Parameters<typeof createAuditVaultRecordSchema>[0], normalizeUser) },
  { version: 14, name: 'inventory accent-insensitive search', up: refoldInventorySearch },
  { version: 15, name: 'audit housekeeping and chart', up: createAuditHousekeepingSchema },
  { version: 16, name: 'audit source per profile (local store or VictoriaLogs)', up: createAuditSourceSchema },
  { version: 17, name: 'watch outbox', up: createWatchSchema },
  { version: 18, name: 'audit: token accessor and incident-response indexes', up: createAuditIncidentSchema },
  { version: 19, name: 'incident rotation jobs', up: createRotationIncidentSchema },
  { version: 20, name: 'audit housekeeping: a NUL in the path is never housekeeping', up: redefineHousekeepingColumn },
];

export function currentVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration numbers must be 1..n without gaps (found ${m.version} at ${i + 1})`);
  });
  const from = currentVersion(db);
  const newest = sorted.at(-1)?.version ?? 0;
  if (from > newest) {
    throw new Error(`the local database is from a newer Vault Console (schema ${from}, this build knows ${newest})`);
  }
  for (const m of sorted) {
    if (m.version <= from) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return currentVersion(db);
}
