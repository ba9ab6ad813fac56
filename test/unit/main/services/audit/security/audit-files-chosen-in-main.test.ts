// Attack (issue 12, item 7): the tail path came from the renderer and was opened
// without checks: /dev/zero never ends, a FIFO blocks a reader for ever, a file that
// other users can write lets them inject events. Now the renderer names no file (the
// contract has no path in stream-start or import; main's dialog picks), every file is
// checked to be a regular file before it is opened (symlinks resolved and the target
// checked, opened without following links or blocking), a file others can write is
// read with a warning, and a failed import reports no hash of the file.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkAuditFile, type AuditFilePicker } from '../../../../../../src/main/services/audit/audit-files';
import { importAuditFile } from '../../../../../../src/main/services/audit/audit-importer';
import { AuditService } from '../../../../../../src/main/services/audit/audit-service';
import { AuditTailer } from '../../../../../../src/main/services/audit/audit-tailer';
import { createLogger } from '../../../../../../src/main/services/log/logger';
import { AuditRepo } from '../../../../../../src/main/services/storage/audit-repo';
import { openDatabase } from '../../../../../../src/main/services/storage/database';
import { SettingsRepo } from '../../../../../../src/main/services/storage/settings-repo';
import { ManualClock, systemClock } from '../../../../../../src/main/services/time/clock';
import { auditChannels } from '../../../../../../src/shared/contracts/audit';
import { SIGNED_OUT } from './adversary';

const FIXTURE = join(__dirname, '../../../../../fixtures/audit/openbao-2.4-audit.jsonl');
const dir = mkdtempSync(join(tmpdir(), 'vc-audit-files-'));
const fifo = join(dir, 'audit.fifo');
execFileSync('mkfifo', [fifo]);
const log = join(dir, 'audit.log');
writeFileSync(log, readFileSync(FIXTURE), { mode: 0o600 });
chmodSync(log, 0o600);
const linkToZero = join(dir, 'zero.log');
symlinkSync('/dev/zero', linkToZero);
const linkToLog = join(dir, 'current.log');
symlinkSync(log, linkToLog);

function service(picker?: AuditFilePicker): AuditService {
  const db = openDatabase(join(mkdtempSync(join(dir, 's-')), 'db.sqlite'));
  return new AuditService({
    db,
    settings: new SettingsRepo(db),
    clock: systemClock,
    log: createLogger('test'),
    dataDir: dir,
    session: { info: () => SIGNED_OUT, requireClient: () => { throw new Error('signed out'); } },
    kvMount: () => 'tenants',
    ...(picker ? { files: picker } : {}),
    pollMs: 3_600_000,
  });
}

describe('audit files are chosen in main and must be regular files', () => {
  it('the renderer cannot name a file: stream-start and import take no path', () => {
    expect(auditChannels['audit:stream-start'].input.safeParse({ path: log }).success).toBe(false);
    expect(auditChannels['audit:stream-start'].input.safeParse({ source: 'choose' }).success).toBe(true);
    expect(auditChannels['audit:import'].input.safeParse({ paths: [log] }).success).toBe(false);
    expect(auditChannels['audit:export'].input.safeParse({ filter: {}, format: 'csv', fileName: '../../x' }).success).toBe(false);
  });

  it.each([
    ['a FIFO', fifo, /audit\.fifo is a FIFO \(named pipe\), not a regular file/],
    ['/dev/zero', '/dev/zero', /zero is a device, not a regular file/],
    ['a symlink to /dev/zero', linkToZero, /zero\.log is a device, not a regular file/],
    ['a folder', dir, /is a folder, not a regular file/],
  ])('refuses %s at once (never blocks, never reads)', async (_, path, message) => {
    await expect(checkAuditFile(path)).rejects.toThrow(message);
    const r = await importAuditFile(new AuditRepo(openDatabase(':memory:')), path);
    expect(r).toMatchObject({ outcome: 'failed', sha256: null, inserted: 0 });
    expect(r.message).toMatch(message);
  });

  it('resolves a symlink to a regular file and reads the target', async () => {
    const c = await checkAuditFile(linkToLog);
    expect(c.realPath).toBe(log);
    const r = await importAuditFile(new AuditRepo(openDatabase(':memory:')), linkToLog);
    expect(r.outcome).toBe('imported');
  });

  it('warns when other users can write the file or its folder', async () => {
    const shared = join(dir, 'shared');
    mkdirSync(shared, { mode: 0o777 });
    chmodSync(shared, 0o777);
    const open = join(shared, 'audit.log');
    writeFileSync(open, readFileSync(FIXTURE));
    chmodSync(open, 0o666);
    const c = await checkAuditFile(open);
    expect(c.warnings.join(' ')).toMatch(/can be written by every local user \(mode 666\)/);
    expect(c.warnings.join(' ')).toMatch(/folder .* can be written by others/);
    const r = await importAuditFile(new AuditRepo(openDatabase(':memory:')), open);
    expect(r.outcome).toBe('imported');
    expect(r.warnings).toHaveLength(2);
    expect(r.message).toMatch(/Warning: audit\.log can be written by every local user/);
  });

  it('a failed import reports no hash of the file', async () => {
    const notAudit = join(dir, 'notes.txt');
    writeFileSync(notAudit, 'hello\nworld\n');
    const r = await importAuditFile(new AuditRepo(openDatabase(':memory:')), notAudit);
    expect(r).toMatchObject({ outcome: 'failed', sha256: null });
    const damaged = join(dir, 'cut.log.gz');
    writeFileSync(damaged, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    const d = await importAuditFile(new AuditRepo(openDatabase(':memory:')), damaged);
    expect(d).toMatchObject({ outcome: 'failed', sha256: null });
  });

  it('the live tail refuses a FIFO or device, also when a rotation leaves one behind', async () => {
    const repo = new AuditRepo(openDatabase(':memory:'));
    const onFifo = new AuditTailer(fifo, { repo, clock: new ManualClock(0), log: createLogger('test') });
    expect(await onFifo.poll()).toBe(0);
    expect(onFifo.stats.lastError).toMatch(/FIFO/);
    await onFifo.stop();

    const rotating = join(dir, 'rotating.log');
    writeFileSync(rotating, readFileSync(FIXTURE), { mode: 0o600 });
    const t = new AuditTailer(rotating, { repo, clock: new ManualClock(0), log: createLogger('test') });
    expect(await t.poll()).toBeGreaterThan(0);
    // "Rotation": the path now names a symlink to /dev/zero.
    renameSync(rotating, `${rotating}.1`);
    symlinkSync('/dev/zero', rotating);
    expect(await t.poll()).toBe(0);
    expect(t.stats.lastError).toMatch(/is a device, not a regular file/);
    await t.stop();
  });

  it("main's dialog picks the log to follow and the files to import; a cancelled dialog changes nothing", async () => {
    let logPick: string | null = null;
    let importPicks: string[] = [];
    const a = service({ pickLogFile: async () => logPick, pickImportFiles: async () => importPicks });
    expect((await a.importChosen()).cancelled).toBe(true);
    importPicks = [log, fifo];
    const imp = await a.importChosen();
    expect(imp.reports.map((r) => r.outcome)).toEqual(['imported', 'failed']);
    expect(await a.startStream('choose')).toMatchObject({ running: false });
    logPick = fifo;
    await expect(a.startStream('choose')).rejects.toThrow(/FIFO/);
    logPick = log;
    const s = await a.startStream('choose');
    expect(s).toMatchObject({ running: true, path: log, origin: 'configured', warnings: [] });
    await a.dispose();
  });

  it('without a dialog (the CLI) there is nothing to pick', async () => {
    const a = service();
    await expect(a.importChosen()).rejects.toThrow(/No file dialog/);
    await expect(a.startStream('choose')).rejects.toThrow(/No file dialog/);
  });
});
