// Imports files for offline review: Vault audit logs (plain or gzip) and the
// console's own CSV / JSON / NDJSON exports. Every bad input is counted and
// reported per file; nothing throws out of importFile. Batches are committed as
// they fill, so a file that fails midway is reported "partial" (never silently
// half-imported) and importing it again completes it: every event has a dedup key.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { ImportReport } from '../../../shared/contracts/audit';
import type { AuditRepo } from '../storage/audit-repo';
import { isVaultAuditEntry, type MappingOptions } from './audit-mapping';
import { emptyStats, parseJsonLine, peekRequest, VaultAuditJoiner, type LineStats } from './audit-parser';
import type { AuditRecord } from './audit-record';
import { CSV_COLUMNS, CsvParser, EXPORT_FORMAT_ID, fromExported, unneutralise } from './export-format';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from './line-splitter';

export interface ImportOptions extends MappingOptions {
  maxLineBytes?: number;
  batchSize?: number;
  /** JSON documents are parsed whole; bigger ones must be NDJSON. */
  maxJsonDocumentBytes?: number;
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

class Batcher {
  inserted = 0;
  duplicates = 0;
  events = 0;
  private buf: AuditRecord[] = [];
  constructor(private readonly repo: AuditRepo, private readonly size: number) {}
  add(records: AuditRecord[]): void {
    for (const r of records) this.buf.push(r);
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
    sha256: null,
    message: '',
  };
  const name = basename(file);
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) return fail(report, `${name} is not a regular file.`);
    size = st.size;
  } catch (err) {
    return fail(report, `${name} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  if (size === 0) {
    report.outcome = 'empty';
    report.message = `${name} is empty; nothing to import.`;
    return report;
  }

  let head: Buffer;
  try {
    const fh = await open(file, 'r');
    try {
      head = Buffer.alloc(Math.min(4, size));
      await fh.read(head, 0, head.length, 0);
    } finally {
      await fh.close();
    }
  } catch (err) {
    return fail(report, `${name} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  if (/\.gz$/i.test(file) && !gzip) return fail(report, `${name} ends in .gz but is not gzip data; nothing imported.`);
  if (!gzip && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) {
    return fail(report, `${name} is UTF-16 text; convert it to UTF-8 first. Nothing imported.`);
  }

  // Read only the bytes that existed when we started: a file that grows while it is
  // read is imported up to that point and reported, never read in a torn state.
  const hash = createHash('sha256');
  const raw = createReadStream(file, { start: 0, end: size - 1, highWaterMark: 1 << 20 });
  let bytesRead = 0;
  raw.on('data', (c) => {
    hash.update(c as Buffer);
    bytesRead += (c as Buffer).length;
    opts.onProgress?.(bytesRead, size);
  });
  let source: Readable = raw;
  if (gzip) source = raw.pipe(createGunzip());
  raw.on('error', (err) => source.destroy(err));

  const batcher = new Batcher(repo, opts.batchSize ?? INSERT_BATCH);
  const stats = emptyStats();
  let fatal: string | null = null;
  const endBulk = size > 8 * 1024 * 1024 ? repo.beginBulk() : () => undefined;
  try {
    const result = await consume(source, batcher, stats, opts);
    report.format = result.format;
    report.skipped.oversized = result.oversized;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    fatal = gzip && /incorrect header|unexpected end|invalid|Z_/i.test(`${e.code ?? ''} ${e.message}`)
      ? 'the gzip data is damaged or cut short'
      : opts.signal?.aborted
        ? 'cancelled'
        : `read failed (${e.code ?? e.name})`;
  } finally {
    raw.destroy();
  }
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
  if (!fatal) report.sha256 = hash.digest('hex');
  try {
    report.grewWhileReading = (await stat(file)).size > size;
  } catch {
    // Removed after reading: what we read stands.
  }

  const alreadySeen = report.sha256 !== null && repo.wasImported(report.sha256);
  if (fatal) {
    report.outcome = report.inserted > 0 || report.duplicates > 0 ? 'partial' : 'failed';
  } else if (report.events === 0) {
    report.outcome = 'failed';
    fatal = 'no audit events found (not a Vault audit log or a Vault Console export)';
  } else {
    report.outcome = 'imported';
  }
  report.message = summarise(name, report, fatal, alreadySeen);
  try {
    repo.recordImport(file, report.sha256, report.format, report.outcome, report.events, report.inserted);
  } catch {
    // The import history is informative only; the events themselves are in.
  }
  return report;
}

function fail(report: ImportReport, message: string): ImportReport {
  report.outcome = 'failed';
  report.message = message;
  return report;
}

function summarise(name: string, r: ImportReport, fatal: string | null, alreadySeen: boolean): string {
  const parts: string[] = [];
  if (r.outcome === 'failed') parts.push(`${name}: nothing imported: ${fatal}.`);
  else if (r.outcome === 'partial') parts.push(`${name}: PARTIAL import, ${fatal}: ${r.inserted} new events stored before it stopped; import the file again once fixed to complete it.`);
  else parts.push(`${name}: ${r.events} events, ${r.inserted} new, ${r.duplicates} already stored${alreadySeen ? ' (this exact file was imported before)' : ''}.`);
  const s = r.skipped;
  const skipped = [
    [s.truncated, 'truncated'],
    [s.notJson, 'not JSON'],
    [s.oversized, 'over the line size limit'],
    [s.badEncoding, 'not UTF-8'],
    [s.notAudit, 'not audit entries'],
  ]
    .filter(([n]) => (n as number) > 0)
    .map(([n, what]) => `${n} ${what}`);
  if (skipped.length) parts.push(`Skipped lines: ${skipped.join(', ')}.`);
  if (r.grewWhileReading) parts.push('The file grew while it was read: only the part present at the start was imported; import it again (or tail it) for the rest.');
  return parts.join(' ');
}

async function consume(source: Readable, batcher: Batcher, stats: LineStats, opts: ImportOptions): Promise<{ format: Format; oversized: number }> {
  let format: Format | null = null;
  let sniff: Buffer[] = [];
  let sniffLen = 0;
  const splitter = new LineSplitter(opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  const joiner = new VaultAuditJoiner(opts);
  const csv = new CsvParser();
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let csvHeader: string[] | null = null;
  const jsonDoc: Buffer[] = [];
  let jsonDocLen = 0;
  const maxDoc = opts.maxJsonDocumentBytes ?? 256 * 1024 * 1024;

  const onJsonLine = (line: Buffer, final: boolean) => {
    stats.lines++;
    if (format === 'vault' || format === 'unknown') {
      const peek = peekRequest(line);
      if (peek) {
        format = 'vault';
        batcher.add(joiner.pushRequestLine(peek.id, peek.time, line));
        return;
      }
    }
    const v = parseJsonLine(line, final);
    if (!v.ok) {
      if (v.reason !== 'empty') stats[v.reason]++;
      else stats.lines--;
      return;
    }
    if (format === 'unknown' && isVaultAuditEntry(v.value)) format = 'vault';
    if (format === 'vault') {
      if (!isVaultAuditEntry(v.value)) {
        stats.notAudit++;
        return;
      }
      batcher.add(joiner.push(v.value));
      return;
    }
    const r = v.value && typeof v.value === 'object' ? fromExported(v.value as Record<string, unknown>) : null;
    if (r) batcher.add([r]);
    else stats.notAudit++;
  };

  const onCsvRecord = (rec: string[]) => {
    if (!csvHeader) {
      csvHeader = rec;
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
    switch (format) {
      case 'console-csv':
        csv.push(decoder.decode(chunk, { stream: true }), onCsvRecord);
        return;
      case 'console-json':
        jsonDocLen += chunk.length;
        if (jsonDocLen > maxDoc) throw Object.assign(new Error('JSON document too large'), { code: 'EDOCTOOBIG' });
        jsonDoc.push(chunk);
        return;
      default:
        splitter.push(chunk, onJsonLine);
    }
  };

  for await (const chunk of source as AsyncIterable<Buffer>) {
    if (opts.signal?.aborted) throw new Error('cancelled');
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
    if (csvHeader && !CSV_COLUMNS.every((c) => (csvHeader as string[]).includes(c))) {
      throw Object.assign(new Error('CSV header is not a Vault Console export'), { code: 'EBADCSV' });
    }
  } else if (format === 'console-json') {
    parseJsonDocument(Buffer.concat(jsonDoc), batcher, stats);
  } else {
    splitter.end(onJsonLine);
    batcher.add(joiner.drain());
    stats.truncated += joiner.unparseable;
  }
  return { format, oversized: splitter.oversized + csv.oversized };
}

function detectFormat(head: Buffer): Format {
  let text = head.subarray(0, 64 * 1024).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const start = text.trimStart();
  if (start.startsWith(`${CSV_COLUMNS[0]},`)) return 'console-csv';
  if (start.startsWith('{')) {
    const firstLine = start.split('\n', 1)[0] ?? '';
    if (firstLine.includes('"event_key"')) return 'console-ndjson';
    if (new RegExp(`"format"\\s*:\\s*"${EXPORT_FORMAT_ID}"`).test(start.slice(0, 4096)) && !firstLine.includes('"type":"re')) return 'console-json';
    return 'vault';
  }
  return 'unknown';
}

function parseJsonDocument(buf: Buffer, batcher: Batcher, stats: LineStats): void {
  stats.lines = 1;
  const v = parseJsonLine(buf, true);
  if (!v.ok) {
    if (v.reason !== 'empty') stats[v.reason]++;
    return;
  }
  const doc = v.value as { format?: unknown; events?: unknown };
  if (doc?.format !== EXPORT_FORMAT_ID || !Array.isArray(doc.events)) {
    stats.notAudit++;
    return;
  }
  stats.lines = doc.events.length;
  for (const e of doc.events) {
    const r = e && typeof e === 'object' ? fromExported(e as Record<string, unknown>) : null;
    if (r) batcher.add([r]);
    else stats.notAudit++;
  }
}
