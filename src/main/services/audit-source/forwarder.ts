// Forwards Vault's file audit log to VictoriaLogs for teams without a log agent: reads
// the file from a persistent cursor, maps each entry with the same parser and mapping
// the local store uses (VaultLineReader → audit-mapping.ts), and posts the events as
// JSON lines (event-fields.ts) in batches, retried with backoff.
//
// Never twice: before a batch is posted, its keys are written to the cursor file as
// "in flight"; after VictoriaLogs accepted it, the cursor moves past it. After a crash
// between the two, the next run asks VictoriaLogs which in-flight keys it already has
// and skips them. Never lost: the cursor only moves after an accepted post. (A request
// entry still waiting for its response when the process stops is read again from its
// response alone, as the local tail does.)
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { readFile, rename, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { AppError } from '../../../shared/errors';
import { emptyStats, VaultLineReader } from '../audit/audit-parser';
import type { AuditRecord } from '../audit/audit-record';
import { openCheckedAuditFile } from '../audit/audit-files';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from '../audit/line-splitter';
import type { Logger } from '../log/logger';
import { toEventDoc } from './event-fields';
import { streamSelector } from './logsql';
import { SourceError, type LogsqlClient } from './logsql-client';

const READ_CHUNK = 1024 * 1024;
/** VictoriaLogs makes ingested events searchable within about a second. */
const RETRY_VISIBILITY_MS = 2_000;

/** Where forwarded events go: VictoriaLogs, or stdout for an agent to ship. */
export interface ForwardSink {
  /** Resolves when the events were accepted (throws to retry). */
  send(lines: string, count: number): Promise<void>;
  /** The lines the destination already holds with these keys (crash recovery, retries). */
  present(keys: readonly string[]): Promise<Map<string, Record<string, unknown>[]>>;
}

/**
 * The destination holds this very event: a line with its key and every field as the
 * forwarder writes it. A line with the key alone proves nothing: anyone who can post to
 * /insert and knows a request id (Vault returns it to the caller) can post one first, and
 * the real event would then never be sent.
 */
export function holdsEvent(rows: readonly Record<string, unknown>[] | undefined, doc: Readonly<Record<string, unknown>>): boolean {
  return (rows ?? []).some((row) => {
    if (Date.parse(String(row._time)) !== Date.parse(String(doc._time))) return false;
    for (const k of new Set([...Object.keys(doc), ...Object.keys(row)])) {
      if (k === '_time' || k === '_stream' || k === '_stream_id') continue;
      if (String(row[k] ?? '') !== String(doc[k] ?? '')) return false;
    }
    return true;
  });
}

export function victoriaLogsSink(client: LogsqlClient, stream: Readonly<Record<string, string>>): ForwardSink {
  const streamFields = Object.keys(stream).join(',');
  return {
    async send(lines) {
      await client.ingest(lines, { _time_field: '_time', _msg_field: '_msg', ...(streamFields ? { _stream_fields: streamFields } : {}) });
    },
    async present(keys) {
      const found = new Map<string, Record<string, unknown>[]>();
      for (let i = 0; i < keys.length; i += 1000) {
        const part = keys.slice(i, i + 1000);
        const sel = streamSelector(stream) || '*';
        const rows = await client.query(`${sel} key:in(${part.map((k) => JSON.stringify(k)).join(',')})`);
        for (const r of rows) if (typeof r.key === 'string') found.set(r.key, [...(found.get(r.key) ?? []), r]);
      }
      return found;
    },
  };
}

interface Cursor {
  version: 1;
  path: string;
  inode: number;
  /** Bytes of the file forwarded (a line boundary). */
  offset: number;
  /** The batch being posted: its keys, and the offset it ends at. */
  inflight: { keys: string[]; endOffset: number } | null;
  /** Requests before the offset still waiting for their response (sent once it arrives). */
  held?: AuditRecord[];
}

export interface ForwarderOptions {
  file: string;
  /** The cursor file (owner-only; written atomically). */
  cursorPath: string;
  sink: ForwardSink;
  /** Stream fields added to every event ({cluster: "prod-eu"}). */
  stream?: Readonly<Record<string, string>>;
  log: Logger;
  batchEvents?: number;
  /** Attempts per batch before the run stops with an error (the cursor stays before it). */
  attempts?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Waits (tests pass a fast one). */
  sleep?: (ms: number) => Promise<void>;
  maxLineBytes?: number;
  /** Bytes read at a time; a batch ends at the end of a read (a line boundary). */
  readChunk?: number;
}

export interface ForwardReport {
  /** Events accepted by the destination in this run. */
  sent: number;
  batches: number;
  /** Events skipped because the destination already had them (an interrupted run). */
  alreadyThere: number;
  retries: number;
  /** Lines that gave no event (not JSON, not an audit entry, cut short). */
  skippedLines: number;
  /** Requests without their response at the end of a one-shot run (sent as pending). */
  pending: number;
  offset: number;
  warnings: string[];
}

export class AuditForwarder {
  private cursor: Cursor | null = null;
  private fh: FileHandle | null = null;
  private reader!: VaultLineReader;
  private splitter!: LineSplitter;
  private batch: AuditRecord[] = [];
  /** Lines found with the keys of a batch interrupted by a crash: events held exactly are not sent again. */
  private skipLines = new Map<string, Record<string, unknown>[]>();
  private stopped = false;
  readonly report: ForwardReport = { sent: 0, batches: 0, alreadyThere: 0, retries: 0, skippedLines: 0, pending: 0, offset: 0, warnings: [] };

  constructor(private readonly opts: ForwarderOptions) {}

  private async loadCursor(): Promise<Cursor | null> {
    try {
      const c = JSON.parse(await readFile(this.opts.cursorPath, 'utf8')) as Cursor;
      if (c.version !== 1 || c.path !== this.opts.file || !Number.isSafeInteger(c.offset) || c.offset < 0) throw new Error('bad');
      return c;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      // A cursor we cannot read is never replaced by "start from 0" (that would send everything twice).
      throw new AppError('BAD_INPUT', `The forward cursor ${this.opts.cursorPath} is not one this forwarder wrote for ${this.opts.file}; move it away to start over.`);
    }
  }

  /** Atomic and durable: a crash leaves the old cursor or the new one, never half of either. */
  private async saveCursorAsync(c: Cursor): Promise<void> {
    const tmp = `${this.opts.cursorPath}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(c));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    await rename(tmp, this.opts.cursorPath);
    this.cursor = c;
  }

  private newReader(): void {
    this.reader = new VaultLineReader((rs) => {
      for (const r of rs) this.batch.push(r);
    }, emptyStats());
    this.splitter = new LineSplitter(this.opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, () => this.reader.oversizedCollector());
  }

  private sleep(ms: number): Promise<void> {
    return this.opts.sleep ? this.opts.sleep(ms) : new Promise((r) => setTimeout(r, ms));
  }

  /** Opens the file at the cursor (recovering an interrupted batch first). */
  private async open(): Promise<void> {
    const opened = await openCheckedAuditFile(this.opts.file);
    this.fh = opened.fh;
    this.report.warnings = opened.checked.warnings;
    for (const w of opened.checked.warnings) this.opts.log.warn(`forward: ${w}`);
    const st = await this.fh.stat();
    const saved = await this.loadCursor();
    let offset = 0;
    if (saved && saved.inode === st.ino && saved.offset <= st.size) {
      offset = saved.offset;
      if (saved.inflight && saved.inflight.keys.length > 0) {
        // Interrupted between the post and the cursor move: whatever arrived is not sent again.
        const there = await this.withRetry(() => this.opts.sink.present(saved.inflight!.keys));
        this.skipLines = there;
        this.opts.log.info(`forward: recovered an interrupted batch (lines with ${there.size} of its ${saved.inflight.keys.length} keys already there)`);
      }
    } else if (saved) {
      this.opts.log.info('forward: the file was rotated or truncated since the cursor; starting at its beginning');
    }
    this.cursor = { version: 1, path: this.opts.file, inode: st.ino, offset, inflight: saved?.inode === st.ino ? (saved.inflight ?? null) : null, held: saved?.held ?? [] };
    this.newReader();
    // Requests before the cursor whose response had not come yet: held again, not lost.
    this.reader.joiner.restore(this.cursor.held ?? []);
  }

  private async withRetry<T>(work: () => Promise<T>): Promise<T> {
    const attempts = this.opts.attempts ?? 8;
    const base = this.opts.retryBaseMs ?? 500;
    const max = this.opts.retryMaxMs ?? 30_000;
    for (let i = 1; ; i++) {
      try {
        return await work();
      } catch (err) {
        // Wrong credentials or a refused line do not get better by trying again.
        const permanent = err instanceof SourceError && (err.state === 'unauthorized' || err.state === 'bad-query');
        if (permanent || i >= attempts || this.stopped) throw err;
        this.report.retries++;
        const wait = Math.min(max, base * 2 ** (i - 1)) * (0.5 + Math.random() / 2);
        this.opts.log.warn(`forward: attempt ${i} failed (${err instanceof AppError ? err.message : 'error'}); retrying in ${Math.round(wait)} ms`);
        await this.sleep(wait);
      }
    }
  }

  /** Posts the batch collected so far, ending at endOffset (a line boundary). */
  private async flush(endOffset: number): Promise<void> {
    const stream = this.opts.stream ?? {};
    const records = this.batch.filter((r) => !holdsEvent(this.skipLines.get(r.key), toEventDoc(r, stream)));
    this.report.alreadyThere += this.batch.length - records.length;
    this.batch = [];
    const c = this.cursor!;
    if (records.length > 0) {
      const lines = records.map((r) => `${JSON.stringify(toEventDoc(r, this.opts.stream ?? {}))}\n`).join('');
      await this.saveCursorAsync({ ...c, inflight: { keys: records.map((r) => r.key), endOffset } });
      let attempt = 0;
      let sent = records.length;
      await this.withRetry(async () => {
        let body = lines;
        if (attempt++ > 0) {
          // The failed attempt may have reached VictoriaLogs (an answer lost, a timeout):
          // after it has made new events searchable (about a second), send only what it lacks.
          await this.sleep(RETRY_VISIBILITY_MS);
          const there = await this.opts.sink.present(records.map((r) => r.key));
          const left = records.filter((r) => !holdsEvent(there.get(r.key), toEventDoc(r, stream)));
          this.report.alreadyThere += records.length - left.length;
          sent = left.length;
          if (left.length === 0) return;
          body = left.map((r) => `${JSON.stringify(toEventDoc(r, this.opts.stream ?? {}))}\n`).join('');
        }
        await this.opts.sink.send(body, sent);
      });
      this.report.sent += sent;
      this.report.batches++;
    }
    await this.saveCursorAsync({ ...c, offset: endOffset, inflight: null, held: this.reader.joiner.held() });
    this.report.offset = endOffset;
  }

  /**
   * Forwards what the file holds now, from the cursor. `final`: the file is complete
   * (a one-shot run): requests still without a response are sent as pending.
   */
  async runOnce({ final = true }: { final?: boolean } = {}): Promise<ForwardReport> {
    if (!this.fh) await this.open();
    const fh = this.fh!;
    const readChunk = this.opts.readChunk ?? READ_CHUNK;
    const buf = Buffer.allocUnsafe(readChunk);
    let offset = this.cursor!.offset;
    const batchEvents = this.opts.batchEvents ?? 5000;
    const onLine = (line: Buffer, fin: boolean) => this.reader.line(line, fin);
    for (;;) {
      if (this.stopped) break;
      const { bytesRead } = await fh.read(buf, 0, readChunk, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
      this.splitter.push(buf.subarray(0, bytesRead), onLine);
      if (this.batch.length >= batchEvents) await this.flush(offset - this.splitter.pendingBytes);
    }
    if (final) {
      this.splitter.end(onLine);
      const before = this.batch.length;
      this.reader.end();
      this.report.pending += this.batch.length - before;
      await this.flush(offset);
      this.newReader();
    } else {
      await this.flush(offset - this.splitter.pendingBytes);
    }
    const s = this.reader.stats;
    this.report.skippedLines = s.truncated + s.notJson + s.badEncoding + s.notAudit;
    return this.report;
  }

  /** Follows the file (rotation: the old file is finished, then the new one read from its start) until stop(). */
  async follow(pollMs = 2_000): Promise<ForwardReport> {
    while (!this.stopped) {
      await this.runOnce({ final: false });
      const st = await stat(this.opts.file).catch(() => null);
      if (st && this.cursor && st.ino !== this.cursor.inode) {
        await this.runOnce({ final: false });
        await this.fh?.close();
        this.fh = null;
        await this.saveCursorAsync({ ...this.cursor, inode: st.ino, offset: 0, inflight: null, held: this.reader.joiner.held() });
        continue;
      }
      if (st && this.cursor && st.size < this.cursor.offset) {
        await this.saveCursorAsync({ ...this.cursor, offset: 0, inflight: null, held: this.reader.joiner.held() });
        await this.fh?.close();
        this.fh = null;
        continue;
      }
      await this.sleep(pollMs);
    }
    return this.report;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.fh?.close().catch(() => undefined);
    this.fh = null;
  }
}

