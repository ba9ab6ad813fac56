// The adversary's audit log (test/fixtures/audit/openbao-2.4-adversary.jsonl, captured
// from a real OpenBao 2.4 by capture-adversary.ts) imported into a fresh audit store,
// signed out (no Vault to ask), as the CLI's offline review does.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditService } from '../../../../../../src/main/services/audit/audit-service';
import type { ImportOptions } from '../../../../../../src/main/services/audit/audit-importer';
import { importAuditFile } from '../../../../../../src/main/services/audit/audit-importer';
import { createLogger } from '../../../../../../src/main/services/log/logger';
import type { SessionInfo } from '../../../../../../src/main/services/session/session-types';
import { openDatabase } from '../../../../../../src/main/services/storage/database';
import { SettingsRepo } from '../../../../../../src/main/services/storage/settings-repo';
import { systemClock } from '../../../../../../src/main/services/time/clock';
import type { AlertSettings, ImportReport } from '../../../../../../src/shared/contracts/audit';
import { DEFAULT_ALERT_SETTINGS } from '../../../../../../src/main/services/audit/alert-detector';

export const ADVERSARY = join(__dirname, '../../../../../fixtures/audit/openbao-2.4-adversary.jsonl');
export const ADVERSARY_LINES = readFileSync(ADVERSARY, 'utf8').trim().split('\n');

/** The approval ids the capture used (capture-adversary.ts prints them). */
export const APPROVAL = {
  G1: 'apr-000000000000a001',
  G2: 'apr-000000000000a002',
  G3: 'apr-000000000000a003',
  G4: 'apr-000000000000a004',
  G5: 'apr-000000000000a005',
  G6: 'apr-000000000000a006',
  G7: 'apr-000000000000a007',
  G8: 'apr-000000000000a008',
  G9: 'apr-000000000000a009',
  G10: 'apr-000000000000a00a',
  G11: 'apr-000000000000a00b',
  H1: 'apr-000000000000a00c',
  I15: 'apr-000000000000a00d',
} as const;

export const SIGNED_OUT: SessionInfo = { signedIn: false, profileId: 'test', address: '', method: null, displayName: '', username: null, entityId: null, policies: [], expiresAt: null, renewable: false, expiringSoon: false, problem: null };

export interface Loaded {
  audit: AuditService;
  dir: string;
  report: ImportReport;
  file: string;
}

/**
 * Imports the adversary log (optionally edited line by line: an edit is said in the
 * test) into a fresh store, with alert settings over the defaults.
 */
export async function loadAdversary(opts: { settings?: Partial<AlertSettings>; edit?: (lines: string[]) => string[]; importOptions?: ImportOptions } = {}): Promise<Loaded> {
  const dir = mkdtempSync(join(tmpdir(), 'vc-adversary-'));
  const db = openDatabase(join(dir, 'db.sqlite'));
  const audit = new AuditService({
    db,
    settings: new SettingsRepo(db),
    clock: systemClock,
    log: createLogger('test'),
    dataDir: dir,
    session: { info: () => SIGNED_OUT, requireClient: () => { throw new Error('signed out'); } },
    kvMount: () => 'tenants',
  });
  if (opts.settings) audit.setAlertSettings({ ...DEFAULT_ALERT_SETTINGS, ...opts.settings });
  let file = ADVERSARY;
  if (opts.edit) {
    file = join(dir, 'edited.jsonl');
    writeFileSync(file, `${opts.edit([...ADVERSARY_LINES]).join('\n')}\n`);
  }
  const report = await importAuditFile(audit.repo, file, opts.importOptions);
  return { audit, dir, report, file };
}

/** Every stored event, oldest first. */
export function allEvents(audit: AuditService) {
  return [...audit.repo.chunks({})].flat();
}
