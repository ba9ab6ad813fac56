// Imports files for offline review: Vault audit logs (plain or gzip) and the
// console's own CSV / JSON / NDJSON exports. Every bad input is counted and
// reported per file; nothing throws out of importFile. Batches are committed as
// they fill, so a file that fails midway is reported "partial" (never silently
// half-imported) and importing it again completes it: every event has a dedup key.
//
// Hostile files cannot take main down: the file must be a regular file (checked
// and opened by audit-files.ts), lines over the limit are read by head and tail,
// held requests are bounded in bytes and count (audit-parser.ts), a JSON document
// is streamed event by event, and a gzip stream stops at a decompressed size and
// ratio no audit log reaches.
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { ImportReport } from '../../../shared/contracts/audit';
import { AppError } from '../../../shared/errors';
import type { AuditRepo } from '../storage/audit-repo';
import { openCheckedAuditFile, type CheckedFile } from './audit-files';
import type { MappingOptions } from './audit-mapping';
import { emptyStats, parseJsonLine, VaultLineReader, type JoinerOptions, type LineStats } from './audit-parser';
import type { AuditRecord } from './audit-record';
import { CSV_REQUIRED, CsvParser, EXPORT_FORMAT_ID, fromExported, unneutralise } from './export-format';
import { JsonEventsStream } from './json-events-stream';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from './line-splitter';

export interface ImportOptions extends MappingOptions, JoinerOptions {
  maxLineBytes?: number;
  batchSize?: number;
  /** One event of a JSON document export at most this big (default 1 MiB). */
  maxJsonEventBytes?: number;
  /** A gzip file stops after this many decompressed bytes (default 64 GiB). */
  maxDecompressedBytes?: number;
  /** ... or once past ratioCheckAfterBytes, when it expands more than this (default 200:1). */
  maxRatio?: number;
  ratioCheckAfterBytes?: number;
  signal?: AbortSignal;
  /** Raw bytes read so far of the size the file had when reading began. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

type Format = ImportReport['format'];

/**
 * Events per transaction. Each commit rewrites every index page it touched, and
 * the tenant, path and IP indexes are touched all over: 20,000 per commit ingests
 * about twice as fast as 2,000 (bench/audit-ingest.ts) for ~12 MB of records held.
 */
export const INSERT_BATCH = 20_000;
export const DEFAULT_MAX_DECOMPRESSED = 64 * 1024 ** 3;
export const DEFAULT_MAX_RATIO = 200;
export const DEFAULT_RATIO_CHECK_AFTER = 256 * 1024 ** 2;

class Batcher {
  inserted = 0;
  duplicates = 0;
  events = 0;
  pending = 0;
  private buf: AuditRecord[] = [];
  constructor(private readonly repo: AuditRepo, private readonly size: number) {}
  add(records: AuditRecord[]): void {
    for (const r of records) {
      this.buf.push(r);
      if (r.status === 'pending') this.pending++;
    }
    this.events += records.length;
    if (this.buf.length >= this.size) this.flush();
  }
  flush(): void {
    const res = this.repo.insertMany(this.buf);
    this.inserted += res.inserted;
    this.duplicates += res.duplicates;
    this.buf = [];
  }
}

class StopImport extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export async function importAuditFile(repo: AuditRepo, file: string, opts: ImportOptions = {}): Promise<ImportReport> {
  const report: ImportReport = {
    file,
    format: 'unknown',
    outcome: 'failed',
    lines: 0,
    events: 0,
    inserted: 0,
    duplicates: 0,
    skipped: { truncated: 0, notJson: 0, oversized: 0, badEncoding: 0, notAudit: 0 },
    grewWhileReading: false,
    pending: 0,
    sha256: null,
    warnings: [],
    message: '',
  };
  const name = basename(file);
  let fh: FileHandle;
  let checked: CheckedFile;
  try {
    ({ fh, checked } = await openCheckedAuditFile(file));
  } catch (err) {
    return fail(report, err instanceof AppError ? err.message : `${name} cannot be read.`);
  }
  report.warnings = checked.warnings;
  try {
    return await importOpen(repo, fh, checked, report, opts);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

async function importOpen(repo: AuditRepo, fh: FileHandle, checked: CheckedFile, report: ImportReport, opts: ImportOptions): Promise<ImportReport> {
  const name = basename(checked.path);
  const size = (await fh.stat()).size;
  if (size === 0) {
    report.outcome = 'empty';
    report.message = `${name} is empty; nothing to import.`;
    return report;
  }
  const head = Buffer.alloc(Math.min(4, size));
  try {
    await fh.read(head, 0, head.length, 0);
  } catch (err) {
    return fail(report, `${name} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  if (/\.gz$/i.test(checked.path) && !gzip) return fail(report, `${name} ends in .gz but is not gzip data; nothing imported.`);
  if (!gzip && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) {
    return fail(report, `${name} is UTF-16 text; convert it to UTF-8 first. Nothing imported.`);
  }

  // Read only the bytes that existed when we started: a file that grows while it is
  // read is imported up to that point and reported, never read in a torn state.
  const hash = createHash('sha256');
  // 64 KiB reads and inflate chunks: Buffers wait for V8 to collect them, and bigger ones
  // pushed a 2 GB hostile import past issue 12's 200 MB of growth (182-206 MB with 1 MiB /
  // 256 KiB; 154-160 MB with 64 KiB, no slower: 15.0 s against 15.4 s).
  const raw = fh.createReadStream({ start: 0, end: size - 1, highWaterMark: 1 << 16, autoClose: false });
  let bytesRead = 0;
  raw.on('data', (c) => {
    hash.update(c as Buffer);
    bytesRead += (c as Buffer).length;
    opts.onProgress?.(bytesRead, size);
  });
  let source: Readable = raw;
  if (gzip) source = raw.pipe(createGunzip({ chunkSize: 1 << 16 }));
  raw.on('error', (err) => source.destroy(err));

  const batcher = new Batcher(repo, opts.batchSize ?? INSERT_BATCH);
  const stats = emptyStats();
  let fatal: string | null = null;
  let oversizedRead = 0;
  const endBulk = size > 8 * 1024 * 1024 ? repo.beginBulk() : () => undefined;
  const maxOut = opts.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED;
  const maxRatio = opts.maxRatio ?? DEFAULT_MAX_RATIO;
  const ratioAfter = opts.ratioCheckAfterBytes ?? DEFAULT_RATIO_CHECK_AFTER;
  let decompressed = 0;
  const guard = gzip
    ? (chunk: Buffer) => {
        decompressed += chunk.length;
        if (decompressed > maxOut) throw new StopImport(`it expands to more than ${fmtBytes(maxOut)}, the limit for one file`);
        if (decompressed > ratioAfter && decompressed > maxRatio * Math.max(1, bytesRead)) {
          throw new StopImport(`it expands more than ${maxRatio}:1 (a compression bomb, not an audit log)`);
        }
      }
    : () => undefined;
  const progress: ConsumeProgress = { format: 'unknown', oversized: 0, oversizedRead: 0 };
  try {
    await consume(source, batcher, stats, opts, guard, progress);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    fatal =
      err instanceof StopImport
        ? err.reason
        : e.code === 'EBADDOC'
          ? 'it is not a well-formed Vault Console JSON export'
          : e.code === 'EBADCSV'
            ? 'its CSV header is not a Vault Console export'
            : gzip && /incorrect header|unexpected end|invalid|Z_/i.test(`${e.code ?? ''} ${e.message}`)
              ? 'the gzip data is damaged or cut short'
              : opts.signal?.aborted
                ? 'cancelled'
                : `read failed (${e.code ?? e.name})`;
  } finally {
    source.destroy();
    raw.destroy();
  }
  // Stopped early: the requests held so far are still events (pending), not lost.
  if (fatal && progress.drain) {
    try {
      progress.drain();
    } catch (err) {
      fatal += `; the local database refused the events (${(err as Error).message.slice(0, 80)})`;
    }
  }
  report.format = progress.format;
  report.skipped.oversized = progress.oversized;
  oversizedRead = progress.oversizedRead;
  try {
    batcher.flush();
  } catch (err) {
    fatal ??= `the local database refused the events (${(err as Error).message.slice(0, 80)})`;
  } finally {
    endBulk();
  }

  report.lines = stats.lines;
  report.skipped.truncated = stats.truncated;
  report.skipped.notJson = stats.notJson;
  report.skipped.badEncoding = stats.badEncoding;
  report.skipped.notAudit = stats.notAudit;
  report.events = batcher.events;
  report.inserted = batcher.inserted;
  report.duplicates = batcher.duplicates;
  report.pending = batcher.pending;
  try {
    report.grewWhileReading = (await stat(checked.realPath)).size > size;
  } catch {
    // Removed after reading: what we read stands.
  }

  if (fatal) {
    report.outcome = report.inserted > 0 || report.duplicates > 0 ? 'partial' : 'failed';
  } else if (report.events === 0) {
    report.outcome = 'failed';
    fatal = 'no audit events found (not a Vault audit log or a Vault Console export)';
  } else {
    report.outcome = 'imported';
  }
  // The file's hash stands for the whole file: only a complete import reports it.
  if (report.outcome === 'imported') report.sha256 = hash.digest('hex');
  const alreadySeen = report.sha256 !== null && repo.wasImported(report.sha256);
  report.message = summarise(name, report, fatal, alreadySeen, oversizedRead);
  try {
    repo.recordImport(checked.path, report.sha256, report.format, report.outcome, report.events, report.inserted);
  } catch {
    // The import history is informative only; the events themselves are in.
  }
  return report;
}

function fmtBytes(n: number): string {
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(0)} GiB` : `${(n / 1024 ** 2).toFixed(0)} MiB`;
}

function fail(report: ImportReport, message: string): ImportReport {
  report.outcome = 'failed';
  report.sha256 = null;
  report.message = message;
  return report;
}

function summarise(name: string, r: ImportReport, fatal: string | null, alreadySeen: boolean, oversizedRead: number): string {
  const parts: string[] = [];
  if (r.outcome === 'failed') parts.push(`${name}: nothing imported: ${fatal}.`);
  else if (r.outcome === 'partial') parts.push(`${name}: PARTIAL import, ${fatal}: ${r.inserted} new events stored from ${r.lines} lines before it stopped; import the file again once fixed to complete it.`);
  else parts.push(`${name}: ${r.lines} lines, ${r.events} events, ${r.inserted} new, ${r.duplicates} already stored${alreadySeen ? ' (this exact file was imported before)' : ''}.`);
  if (r.pending > 0) parts.push(`${r.pending} requests had no response in the file (stored as pending).`);
  if (oversizedRead > 0) parts.push(`${oversizedRead} entries over the line size limit were read by their start and end.`);
  const s = r.skipped;
  const skipped = [
    [s.truncated, 'truncated'],
    [s.notJson, 'not JSON'],
    [s.oversized - oversizedRead, 'over the line size limit'],
    [s.badEncoding, 'not UTF-8'],
    [s.notAudit, 'not audit entries'],
  ]
    .filter(([n]) => (n as number) > 0)
    .map(([n, what]) => `${n} ${what}`);
  if (skipped.length) parts.push(`Skipped lines: ${skipped.join(', ')}.`);
  if (r.grewWhileReading) parts.push('The file grew while it was read: only the part present at the start was imported; import it again (or tail it) for the rest.');
  for (const w of r.warnings) parts.push(`Warning: ${w}`);
  return parts.join(' ');
}

interface ConsumeProgress {
  format: Format;
  oversized: number;
  oversizedRead: number;
  /** Stores the requests still held (after a stop). */
  drain?: () => void;
}

async function consume(source: Readable, batcher: Batcher, stats: LineStats, opts: ImportOptions, guard: (chunk: Buffer) => void, progress: ConsumeProgress): Promise<void> {
  let format: Format | null = null;
  let sniff: Buffer[] = [];
  let sniffLen = 0;
  const reader = new VaultLineReader((rs) => batcher.add(rs), stats, opts);
  progress.drain = () => reader.end();
  // An oversized line of a Vault log is scanned as it streams by; one of an NDJSON export is only counted.
  const splitter = new LineSplitter(opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, () =>
    format === 'vault' || format === 'unknown' ? reader.oversizedCollector() : { push: () => undefined, end: () => undefined },
  );
  const csv = new CsvParser();
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let csvHeader: string[] | null = null;
  const jsonDoc = new JsonEventsStream(EXPORT_FORMAT_ID, (elem) => {
    stats.lines++;
    const v = parseJsonLine(elem, true);
    if (!v.ok) {
      if (v.reason !== 'empty') stats[v.reason]++;
      return;
    }
    const r = v.value && typeof v.value === 'object' ? fromExported(v.value as Record<string, unknown>) : null;
    if (r) batcher.add([r]);
    else stats.notAudit++;
  }, opts.maxJsonEventBytes ?? 1024 * 1024);

  const onJsonLine = (line: Buffer, final: boolean) => {
    if (format === 'vault' || format === 'unknown') {
      reader.line(line, final);
      return;
    }
    stats.lines++;
    const v = parseJsonLine(line, final);
    if (!v.ok) {
      if (v.reason !== 'empty') stats[v.reason]++;
      else stats.lines--;
      return;
    }
    const r = v.value && typeof v.value === 'object' ? fromExported(v.value as Record<string, unknown>) : null;
    if (r) batcher.add([r]);
    else stats.notAudit++;
  };

  const onCsvRecord = (rec: string[]) => {
    if (!csvHeader) {
      csvHeader = rec;
      if (!CSV_REQUIRED.every((c) => rec.includes(c))) throw Object.assign(new Error('CSV header is not a Vault Console export'), { code: 'EBADCSV' });
      return;
    }
    stats.lines++;
    if (rec.some((c) => c.includes('\uFFFD'))) {
      stats.badEncoding++;
      return;
    }
    const obj: Record<string, string> = {};
    csvHeader.forEach((h, i) => {
      obj[h] = unneutralise(rec[i] ?? '');
    });
    const r = rec.length === csvHeader.length ? fromExported(obj) : null;
    if (r) batcher.add([r]);
    else stats.notAudit++;
  };

  const feed = (chunk: Buffer) => {
    progress.format = format ?? 'unknown';
    progress.oversized = splitter.oversized + csv.oversized + jsonDoc.oversized;
    progress.oversizedRead = reader.oversizedRead;
    switch (format) {
      case 'console-csv':
        csv.push(decoder.decode(chunk, { stream: true }), onCsvRecord);
        return;
      case 'console-json':
        jsonDoc.push(chunk);
        return;
      default:
        splitter.push(chunk, onJsonLine);
    }
  };

  for await (const chunk of source as AsyncIterable<Buffer>) {
    if (opts.signal?.aborted) throw new Error('cancelled');
    guard(chunk);
    if (format === null) {
      sniff.push(chunk);
      sniffLen += chunk.length;
      if (sniffLen < 64 * 1024) continue;
      format = detectFormat(Buffer.concat(sniff));
      for (const c of sniff) feed(c);
      sniff = [];
      continue;
    }
    feed(chunk);
  }
  if (format === null) {
    format = detectFormat(Buffer.concat(sniff));
    for (const c of sniff) feed(c);
  }
  if (format === 'console-csv') {
    csv.push(decoder.decode(), onCsvRecord);
    const { unterminated } = csv.end(onCsvRecord);
    if (unterminated) stats.truncated++;
  } else if (format === 'console-json') {
    if (!jsonDoc.complete) stats.truncated++;
    if (jsonDoc.format !== EXPORT_FORMAT_ID) stats.notAudit++;
  } else {
    splitter.end(onJsonLine);
    reader.end();
  }
  progress.drain = undefined;
  progress.format = format;
  progress.oversized = splitter.oversized + csv.oversized + jsonDoc.oversized;
  progress.oversizedRead = reader.oversizedRead;
}

function detectFormat(head: Buffer): Format {
  let text = head.subarray(0, 64 * 1024).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const start = text.trimStart();
  if (start.startsWith(`${CSV_REQUIRED[0]},`)) return 'console-csv';
  if (start.startsWith('{')) {
    const firstLine = start.split('\n', 1)[0] ?? '';
    if (firstLine.includes('"event_key"')) return 'console-ndjson';
    if (new RegExp(`"format"\\s*:\\s*"${EXPORT_FORMAT_ID}"`).test(start.slice(0, 4096)) && !firstLine.includes('"type":"re')) return 'console-json';
    return 'vault';
  }
  return 'unknown';
}
