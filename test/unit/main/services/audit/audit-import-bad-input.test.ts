// Every bad input the issue lists: counted and reported per file, never a crash,
// never a half-imported file without saying so; the same file twice adds nothing.
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import { importAuditFile } from '../../../../../src/main/services/audit/audit-importer';
import { AuditRepo } from '../../../../../src/main/services/storage/audit-repo';
import { openDatabase } from '../../../../../src/main/services/storage/database';

const FIXTURE = readFileSync(join(__dirname, '../../../../fixtures/audit/openbao-2.4-audit.jsonl'));
const FIXTURE_EVENTS = 47;

let dir: string;
let repo: AuditRepo;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vc-audit-import-'));
  repo = new AuditRepo(openDatabase(join(dir, 'db.sqlite')));
});
const file = (name: string, data: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};
const total = () => repo.counts({}, 1_000_000).total;

describe('audit import', () => {
  it('imports a real OpenBao log, plain and gzip, and importing the same file twice adds nothing', async () => {
    const first = await importAuditFile(repo, file('audit.log', FIXTURE));
    expect(first).toMatchObject({ outcome: 'imported', format: 'vault', events: FIXTURE_EVENTS, inserted: FIXTURE_EVENTS, duplicates: 0 });
    expect(first.sha256).toMatch(/^[0-9a-f]{64}$/);
    const again = await importAuditFile(repo, join(dir, 'audit.log'));
    expect(again).toMatchObject({ outcome: 'imported', inserted: 0, duplicates: FIXTURE_EVENTS });
    expect(again.message).toMatch(/imported before/);
    const gz = await importAuditFile(repo, file('audit.log.gz', gzipSync(FIXTURE)));
    expect(gz).toMatchObject({ outcome: 'imported', inserted: 0, duplicates: FIXTURE_EVENTS });
    expect(total()).toBe(FIXTURE_EVENTS);
  });

  it('counts truncated and non-JSON lines and imports the rest', async () => {
    const lines = FIXTURE.toString('utf8').trim().split('\n');
    const damaged = [lines[0], 'hello, not json', lines[1]!.slice(0, 80), ...lines.slice(2), '{"time":"2026-'].join('\n');
    const r = await importAuditFile(repo, file('damaged.log', damaged));
    expect(r.outcome).toBe('imported');
    expect(r.skipped.notJson).toBe(1);
    expect(r.skipped.truncated).toBe(2);
    expect(r.message).toMatch(/2 truncated, 1 not JSON/);
    expect(r.inserted).toBeGreaterThan(40);
  });

  it('reads one 50 MB line by its start and end without holding it, and keeps the lines around it', async () => {
    const lines = FIXTURE.toString('utf8').trim().split('\n');
    const big = `{"time":"2026-01-01T00:00:00Z","type":"response","request":{"id":"x","path":"${'a'.repeat(50 * 1024 * 1024)}"}}`;
    const r = await importAuditFile(repo, file('big.log', [...lines.slice(0, 20), big, ...lines.slice(20)].join('\n') + '\n'));
    expect(r.skipped.oversized).toBe(1);
    expect(r.outcome).toBe('imported');
    // Nothing hides behind a big line: it is an event too, its path cut short.
    expect(r.inserted).toBe(FIXTURE_EVENTS + 1);
    expect(r.message).toMatch(/1 entries over the line size limit were read by their start and end/);
    const e = repo.page({}, null, 1000).events.find((x) => x.requestId === 'x')!;
    expect(e.path).toMatch(/^a{100,}…$/);
    expect(e.path.length).toBeLessThanOrEqual(2048);
  });

  it('reports lines in a wrong encoding and refuses a UTF-16 file outright', async () => {
    const latin1 = Buffer.concat([FIXTURE, Buffer.from('{"time":"2026-01-01T00:00:00Z","user":"M\xfcller"}\n', 'latin1')]);
    const r = await importAuditFile(repo, file('latin1.log', latin1));
    expect(r.skipped.badEncoding).toBe(1);
    expect(r.inserted).toBe(FIXTURE_EVENTS);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(FIXTURE.toString('utf8'), 'utf16le')]);
    const u = await importAuditFile(repo, file('utf16.log', utf16));
    expect(u.outcome).toBe('failed');
    expect(u.message).toMatch(/UTF-16/);
  });

  it('reports an empty file as empty', async () => {
    const r = await importAuditFile(repo, file('empty.log', ''));
    expect(r).toMatchObject({ outcome: 'empty', inserted: 0 });
  });

  it('refuses a .gz that is not gzip and imports nothing', async () => {
    const r = await importAuditFile(repo, file('fake.log.gz', FIXTURE));
    expect(r.outcome).toBe('failed');
    expect(r.message).toMatch(/not gzip/);
    expect(total()).toBe(0);
  });

  it('says PARTIAL when a gzip stream is cut short, and a later good import completes it', async () => {
    const gz = gzipSync(Buffer.concat(Array.from({ length: 40 }, () => FIXTURE)));
    const r = await importAuditFile(repo, file('cut.log.gz', gz.subarray(0, Math.floor(gz.length * 0.6))));
    expect(['partial', 'failed']).toContain(r.outcome);
    expect(r.message).toMatch(/PARTIAL|nothing imported/);
    expect(r.message).toMatch(/damaged or cut short/);
    const ok = await importAuditFile(repo, file('whole.log', FIXTURE));
    expect(ok.outcome).toBe('imported');
    expect(total()).toBe(FIXTURE_EVENTS);
  });

  it('imports what existed when reading began from a file that grows while it is read, and says so', async () => {
    const p = file('growing.log', Buffer.concat(Array.from({ length: 200 }, () => FIXTURE)));
    let appended = false;
    const r = await importAuditFile(repo, p, {
      onProgress: () => {
        if (!appended) appendFileSync(p, FIXTURE);
        appended = true;
      },
    });
    expect(r.grewWhileReading).toBe(true);
    expect(r.message).toMatch(/grew while it was read/);
    expect(r.outcome).toBe('imported');
  });

  it('reports a file with no audit events at all as failed, not as a success', async () => {
    const r = await importAuditFile(repo, file('notes.txt', 'just some notes\nnothing here\n'));
    expect(r.outcome).toBe('failed');
    expect(r.skipped.notJson).toBe(2);
  });

  it('reports a missing file without throwing', async () => {
    const r = await importAuditFile(repo, join(dir, 'nope.log'));
    expect(r.outcome).toBe('failed');
    expect(r.message).toMatch(/ENOENT/);
  });
});

describe('audit import fast path for request entries', () => {
  it('counts a request line cut after its id as truncated instead of dropping it silently', async () => {
    const lines = FIXTURE.toString('utf8').trim().split('\n');
    const req = lines.find((l) => l.includes('"type":"request"') && l.includes('t-000009'))!;
    const cutAt = req.indexOf('"operation"');
    const rest = lines.filter((l) => !l.includes(JSON.parse(req).request.id));
    const r = await importAuditFile(repo, file('cut-request.log', [...rest, req.slice(0, cutAt)].join('\n') + '\n'));
    expect(r.skipped.truncated).toBe(1);
    expect(r.inserted).toBe(FIXTURE_EVENTS - 1);
  });
});
