// Red-team helpers: an attacker acts on the shared test OpenBao with plain HTTP, then a
// fresh offline audit store (signed out, as `vault-console audit import` on an ops host)
// imports the server's real audit log and is asked for its alerts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { AuditService } from '../../../../src/main/services/audit/audit-service';
import { createLogger } from '../../../../src/main/services/log/logger';
import type { SessionInfo } from '../../../../src/main/services/session/session-types';
import { openDatabase } from '../../../../src/main/services/storage/database';
import { SettingsRepo } from '../../../../src/main/services/storage/settings-repo';
import { systemClock } from '../../../../src/main/services/time/clock';

const SIGNED_OUT: SessionInfo = { signedIn: false, profileId: 'test', address: '', method: null, displayName: '', username: null, entityId: null, policies: [], expiresAt: null, renewable: false, expiringSoon: false, problem: null };

/** A fresh signed-out audit store with the given log files imported. */
export async function importOffline(files: readonly string[], kvMount = 'tenants'): Promise<AuditService> {
  const dir = mkdtempSync(join(tmpdir(), 'vc-redaudit-'));
  const db = openDatabase(join(dir, 'db.sqlite'));
  const audit = new AuditService({
    db,
    settings: new SettingsRepo(db),
    clock: systemClock,
    log: createLogger('test'),
    dataDir: dir,
    session: { info: () => SIGNED_OUT, requireClient: () => { throw new Error('signed out'); } },
    kvMount: () => kvMount,
  });
  // Let the file device flush the last response entries.
  await new Promise((r) => setTimeout(r, 300));
  for (const r of await audit.importFiles(files)) expect(r.outcome).toBe('imported');
  return audit;
}

/** Every stored event. */
export function allEvents(audit: AuditService) {
  return [...audit.repo.chunks({})].flat();
}

/** A tenant id no other test uses (t- and 9 digits). */
export function freshTenant(): string {
  return `t-${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
}
