// Attack (issue 12, item 8): request entries without their response were held whole
// (up to 4 MiB each, 50,000 of them), so a few-megabyte .gz of request-only lines took
// main down (and with it the reveal wipe and token revoke). Now a held request is
// reduced to what its event needs once held lines pass a byte budget, a .gz stops at
// a decompressed size and ratio no audit log reaches, and a JSON document export is
// streamed event by event. The big case runs in a child process (its RSS is main's):
// a .gz of 2 GB of request-only lines of ~16 KB (a real OpenBao 2.4 request entry with
// a large HMAC'd body) imports with RSS growing by under 200 MB, every line counted
// and reported. Slow-ish (about a minute): it really decompresses and parses 2 GB.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, createGzip, constants as zlib } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { importAuditFile } from '../../../../../../src/main/services/audit/audit-importer';
import { AuditRepo } from '../../../../../../src/main/services/storage/audit-repo';
import { openDatabase } from '../../../../../../src/main/services/storage/database';
import { EXPORT_FORMAT_ID } from '../../../../../../src/main/services/audit/export-format';
import { ADVERSARY_LINES } from './adversary';

const dir = mkdtempSync(join(tmpdir(), 'vc-audit-memory-'));

/** A real request entry (a KV read by admin) with ~16 KB of HMAC'd body keys, and a per-line random part. */
function template(): (i: number) => string {
  const base = JSON.parse(ADVERSARY_LINES.find((l) => l.includes('"type":"request"') && l.includes('"path":"tenants/data/t-000701/smtp/admin"'))!) as {
    time: string;
    request: { id: string; data?: Record<string, string> };
  };
  const hmac = `hmac-sha256:${'ab'.repeat(32)}`;
  base.request.data = Object.fromEntries(Array.from({ length: 190 }, (_, k) => [`k${k}`, hmac]));
  const text = JSON.stringify(base);
  const [head, tail] = text.split(base.request.id) as [string, string];
  return (i) => `${head.replace(base.time, new Date(Date.UTC(2026, 0, 1) + i).toISOString())}${i.toString(16).padStart(8, '0')}-${randomBytes(10).toString('hex')}${tail.replace('"k0":', `"nonce":"${randomBytes(64).toString('hex')}","k0":`)}`;
}

async function writeGz(path: string, lines: number, line: (i: number) => string): Promise<number> {
  const out = createWriteStream(path);
  const gz = createGzip({ level: 1, memLevel: 9 });
  gz.pipe(out);
  let bytes = 0;
  for (let i = 0; i < lines; i++) {
    const s = `${line(i)}\n`;
    bytes += Buffer.byteLength(s);
    if (!gz.write(s)) await new Promise<void>((r) => gz.once('drain', () => r()));
  }
  gz.end();
  await new Promise<void>((r) => out.once('close', () => r()));
  return bytes;
}

describe('hostile imports cannot exhaust main’s memory', () => {
  it('a .gz expanding to 2 GB of request-only lines: RSS grows by under 200 MB, every line counted and reported', async () => {
    const line = template();
    const sample = line(0);
    expect(sample.length).toBeGreaterThan(15_000);
    const n = Math.ceil((2 * 1024 ** 3) / (sample.length + 1));
    const file = join(dir, 'requests-only.log.gz');
    const bytes = await writeGz(file, n, line);
    expect(bytes).toBeGreaterThanOrEqual(2 * 1024 ** 3);
    // Compresses like a bomb would need to, yet under the ratio cap (it must be read to the end).
    expect(bytes / statSync(file).size).toBeGreaterThan(20);

    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(__dirname, 'import-child.ts'), file, dir], { encoding: 'utf8', maxBuffer: 1 << 20, timeout: 600_000 });
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as { growthMB: number; report: { outcome: string; lines: number; events: number; pending: number; message: string } };
    expect(r.report.outcome).toBe('imported');
    expect(r.report.lines).toBe(n);
    expect(r.report.events).toBe(n);
    expect(r.report.pending).toBe(n);
    expect(r.report.message).toContain(`${n} lines`);
    expect(r.report.message).toContain(`${n} requests had no response in the file (stored as pending)`);
    process.stderr.write(`[audit memory] 2 GB of request-only lines (${n} lines): RSS grew by ${r.growthMB.toFixed(0)} MB\n`);
    // The issue's bound. With 64 KiB reads and inflate chunks and at most DEFAULT_MAX_PENDING
    // (20,000) requests held: 154-160 MB alone, 184 MB beside a CI run (V8 heap ~40 MB, Buffers
    // not yet collected ~60 MB, the rest native: SQLite, zlib, malloc). It was 182-206 MB with
    // 1 MiB / 256 KiB chunks and 50,000 held.
    expect(r.growthMB).toBeLessThan(200);
  }, 900_000);

  it('a compression bomb stops at the ratio cap: partial, what was read counted and reported', async () => {
    const line = ADVERSARY_LINES.find((l) => l.includes('"type":"request"') && l.includes('t-000701/smtp/admin'))!;
    const file = join(dir, 'bomb.log.gz');
    writeFileSync(file, gzipSync(Buffer.from(`${line}\n`.repeat(40_000)), { level: zlib.Z_BEST_COMPRESSION }));
    const r = await importAuditFile(new AuditRepo(openDatabase(':memory:')), file, { ratioCheckAfterBytes: 4 * 1024 * 1024, maxRatio: 50 });
    expect(r.outcome).toBe('partial');
    expect(r.sha256).toBeNull();
    expect(r.message).toMatch(/it expands more than 50:1 \(a compression bomb, not an audit log\)/);
    expect(r.lines).toBeGreaterThan(0);
    expect(r.lines).toBeLessThan(40_000);
    // The requests read before the stop are stored (pending), not lost.
    expect(r.inserted).toBeGreaterThan(0);
  });

  it('a .gz stops at the decompressed size cap', async () => {
    const file = join(dir, 'big.log.gz');
    writeFileSync(file, gzipSync(Buffer.from(`${ADVERSARY_LINES.slice(0, 400).join('\n')}\n`.repeat(8))));
    const r = await importAuditFile(new AuditRepo(openDatabase(':memory:')), file, { maxDecompressedBytes: 2 * 1024 * 1024 });
    expect(r.outcome).toBe('partial');
    expect(r.message).toMatch(/it expands to more than 2 MiB, the limit for one file/);
  });

  it('a JSON document export is streamed event by event: an oversized event is skipped, the rest imported', async () => {
    const ev = (i: number) => ({ event_key: `x:${i}`, timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), action: 'read', tenant: 't-000001', user: 'admin', secret_type: 'ssh', ip_address: '10.0.0.1', status: 'ok', path: 'tenants/data/t-000001/ssh/admin', source: 'vault', request_id: `r${i}`, approval_id: null, error: null });
    const huge = { ...ev(999_999), error: 'x'.repeat(2 * 1024 * 1024) };
    const doc = `{"format":"${EXPORT_FORMAT_ID}","version":2,"exported_at":"2026-01-02T00:00:00Z","filter":{},"events":[\n${[...Array.from({ length: 3000 }, (_, i) => JSON.stringify(ev(i))), JSON.stringify(huge)].join(',\n')}\n],"count":3001}\n`;
    const file = join(dir, 'export.json');
    writeFileSync(file, doc);
    const r = await importAuditFile(new AuditRepo(openDatabase(':memory:')), file, { batchSize: 500 });
    expect(r).toMatchObject({ format: 'console-json', outcome: 'imported', events: 3000, inserted: 3000 });
    expect(r.skipped.oversized).toBe(1);
    expect(readFileSync(file).length).toBeGreaterThan(2 * 1024 * 1024);
  });

  it('a CSV export with a line of ten million commas is one oversized record, never an array of ten million fields', async () => {
    const file = join(dir, 'commas.csv');
    const header = 'event_key,timestamp,action,tenant,user,secret_type,ip_address,status,path,source,request_id,approval_id,error';
    const row = 'x:1,2026-01-01T00:00:00.000Z,read,t-000001,admin,ssh,10.0.0.1,ok,tenants/data/t-000001/ssh/admin,vault,r1,,';
    writeFileSync(file, `${header}\r\n${','.repeat(10_000_000)}\r\n${row}\r\n`);
    const before = process.memoryUsage().heapUsed;
    const r = await importAuditFile(new AuditRepo(openDatabase(':memory:')), file);
    expect(r).toMatchObject({ format: 'console-csv', outcome: 'imported', inserted: 1 });
    expect(r.skipped.oversized).toBe(1);
    // Ten million empty strings in an array would be 80 MB+ of heap.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(60 * 1024 * 1024);
  });
});
