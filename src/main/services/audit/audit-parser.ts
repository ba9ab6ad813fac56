// Vault's file audit device writes a request entry when a request arrives and a
// response entry when it is answered; both carry request.id. The joiner pairs them
// into one event (time of the request, outcome of the response). A request whose
// response has not been seen yet is held (bounded in count and bytes) and, when
// pushed out or at the end of an import, stored as "pending"; its response
// completes it later (see AuditRepo.insertMany).
//
// Memory is bounded on hostile input: a held request is its raw line only while
// the lines held stay under a byte budget; past it, the oldest are reduced to the
// few fields their event needs (a few hundred bytes), and past a count they are
// stored as pending events. A line over the line limit is read by its head and
// tail (entry-head.ts), never held whole.
import { isUtf8 } from 'node:buffer';
import { isVaultAuditEntry, mapVaultEntry, str, type MappingOptions, type VaultAuditEntry } from './audit-mapping';
import { parseVaultTime, type AuditRecord } from './audit-record';
import { entryFromHeadAndTail, entryFromScan, JsonFieldScanner } from './entry-head';
import type { OversizedCollector } from './line-splitter';

export interface LineStats {
  lines: number;
  truncated: number;
  notJson: number;
  badEncoding: number;
  notAudit: number;
}

export function emptyStats(): LineStats {
  return { lines: 0, truncated: 0, notJson: 0, badEncoding: 0, notAudit: 0 };
}

export type LineVerdict = { ok: true; value: unknown } | { ok: false; reason: 'truncated' | 'notJson' | 'badEncoding' | 'empty' };

/** Decodes and parses one line; never throws. */
export function parseJsonLine(line: Buffer, final: boolean): LineVerdict {
  if (line.length === 0) return { ok: false, reason: 'empty' };
  // NUL bytes mean UTF-16 or binary; invalid UTF-8 means Latin-1 or worse.
  if (line.indexOf(0) >= 0 || !isUtf8(line)) return { ok: false, reason: 'badEncoding' };
  let text = line.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return { ok: false, reason: 'empty' };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    // A JSON object cut short (the writer was interrupted, or the last line of a
    // file still being written) is "truncated"; anything else is not JSON.
    const t = text.trimStart();
    return { ok: false, reason: t.startsWith('{') && (final || !text.trimEnd().endsWith('}')) ? 'truncated' : 'notJson' };
  }
}

const REQUEST_HEAD = Buffer.from('{"time":"');
const REQUEST_TYPE = Buffer.from('","type":"request"');
const REQUEST_ID = Buffer.from('"request":{"id":"');

/**
 * Fast path for request entries, which Vault writes as {"time":"…","type":"request",…}:
 * the joiner needs only their time and id (the response repeats the whole request),
 * so the full JSON parse is deferred until a request turns out to have no response.
 * Roughly halves parse work; null means "parse it the normal way".
 */
export function peekRequest(line: Buffer): { id: string; time: string } | null {
  if (line.length < 64 || !line.subarray(0, REQUEST_HEAD.length).equals(REQUEST_HEAD)) return null;
  const end = line.indexOf(34, REQUEST_HEAD.length);
  if (end < 0 || end > 64 || !line.subarray(end, end + REQUEST_TYPE.length).equals(REQUEST_TYPE)) return null;
  if (line.indexOf(0) >= 0 || !isUtf8(line)) return null;
  const at = line.subarray(0, 4096).indexOf(REQUEST_ID);
  if (at < 0) return null;
  const from = at + REQUEST_ID.length;
  const to = line.indexOf(34, from);
  if (to < 0 || to - from < 1 || to - from > 128 || line.subarray(from, to).includes(92)) return null;
  // Read straight from the bytes: a match on a decoded head would be a slice that keeps
  // the whole 4 KB head alive for as long as the request is held (50,000 of them: 200 MB).
  return { id: line.toString('utf8', from, to), time: line.toString('utf8', REQUEST_HEAD.length, end) };
}

/**
 * Raw request lines held at most (beyond it the oldest are reduced to their event). A
 * normal log answers each request within a few lines, so a few hundred are ever held.
 */
export const DEFAULT_MAX_PENDING_BYTES = 8 * 1024 * 1024;
/**
 * Requests held waiting for their response. Vault logs a response a few entries after its
 * request; one that comes later completes the pending event stored for it (audit-repo.ts).
 * Each held request is about a kilobyte of JS objects: 20,000 keep a 2 GB hostile import
 * under the 200 MB of growth issue 12 sets (50,000 peaked at 185-206 MB).
 */
export const DEFAULT_MAX_PENDING = 20_000;

export interface JoinerOptions extends MappingOptions {
  /** Requests held waiting for their response (default DEFAULT_MAX_PENDING); older ones are stored as pending. */
  maxPending?: number;
  /** Raw bytes of held request lines (default 8 MiB); past it the oldest are reduced to their event. */
  maxPendingBytes?: number;
}

export class VaultAuditJoiner {
  /** Held requests as their raw line (parsed only if they stay pending), oldest first. */
  private readonly raw = new Map<string, { time: string; line: Buffer }>();
  /** Held requests reduced to their pending event (a few hundred bytes each), oldest first. */
  private readonly reducedHeld = new Map<string, AuditRecord>();
  private rawBytes = 0;
  /** Request lines taken by the fast path that proved not to be whole JSON (cut short). */
  unparseable = 0;
  /** Held lines reduced to their event to stay under the byte budget. */
  reduced = 0;
  /** Requests stored as pending because too many were held. */
  evicted = 0;

  constructor(private readonly opts: JoinerOptions = {}) {}

  get pendingCount(): number {
    return this.raw.size + this.reducedHeld.size;
  }

  /** Bytes of raw request lines held (the rest of what is held is a few hundred bytes per request). */
  get pendingBytes(): number {
    return this.rawBytes;
  }

  /** A request entry seen through peekRequest; its line is parsed only if it stays pending. */
  pushRequestLine(id: string, time: string, line: Buffer): AuditRecord[] {
    this.forget(id);
    // Copy: the line may be a view into a reused read buffer.
    this.raw.set(id, { time, line: Buffer.from(line) });
    this.rawBytes += line.length;
    this.reduceToBudget();
    return this.evict();
  }

  /** A request entry parsed whole is kept as its event only; a response gives the event (request time, response outcome). */
  push(entry: VaultAuditEntry): AuditRecord[] {
    const id = str(entry.request?.id);
    if (entry.type === 'request') {
      if (!id) return [];
      // Keep only what the event needs, never the whole entry.
      const r = mapVaultEntry(entry, undefined, this.opts);
      if (!r) return [];
      this.forget(id);
      this.reducedHeld.set(id, r);
      return this.evict();
    }
    let requestTs: number | undefined;
    if (id) {
      const line = this.raw.get(id);
      const rec = line ? undefined : this.reducedHeld.get(id);
      if (line) requestTs = parseVaultTime(line.time);
      else if (rec) requestTs = rec.ts;
      this.forget(id);
      if (requestTs !== undefined && !Number.isFinite(requestTs)) requestTs = undefined;
    }
    const r = mapVaultEntry(undefined, entry, this.opts, requestTs);
    return r ? [r] : [];
  }

  /** Requests still waiting for a response, as pending events. */
  drain(): AuditRecord[] {
    const out: AuditRecord[] = [...this.reducedHeld.values()];
    for (const p of this.raw.values()) {
      const r = this.lineRecord(p.line);
      if (r) out.push(r);
    }
    this.raw.clear();
    this.reducedHeld.clear();
    this.rawBytes = 0;
    return out;
  }

  /** Requests still waiting for a response, as pending events, without letting go of them (a forwarder's cursor keeps them across restarts). */
  held(): AuditRecord[] {
    const out: AuditRecord[] = [...this.reducedHeld.values()];
    for (const p of this.raw.values()) {
      const r = this.lineRecord(p.line);
      if (r) out.push(r);
    }
    return out;
  }

  /** Holds requests again that a previous run held (their responses may come later in the log). */
  restore(records: readonly AuditRecord[]): void {
    for (const r of records) if (r.requestId && r.status === 'pending') this.reducedHeld.set(r.requestId, r);
  }

  private forget(id: string): void {
    const p = this.raw.get(id);
    if (p) {
      this.rawBytes -= p.line.length;
      this.raw.delete(id);
    }
    this.reducedHeld.delete(id);
  }

  private lineRecord(line: Buffer): AuditRecord | null {
    try {
      const v = JSON.parse(line.toString('utf8')) as unknown;
      if (isVaultAuditEntry(v)) return mapVaultEntry(v, undefined, this.opts);
    } catch {
      // counted below
    }
    this.unparseable++;
    return null;
  }

  private reduceToBudget(): void {
    const budget = this.opts.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
    while (this.rawBytes > budget && this.raw.size > 0) {
      const [id, p] = this.raw.entries().next().value as [string, { time: string; line: Buffer }];
      this.raw.delete(id);
      this.rawBytes -= p.line.length;
      const r = this.lineRecord(p.line);
      if (r) {
        this.reducedHeld.set(id, r);
        this.reduced++;
      }
    }
  }

  private evict(): AuditRecord[] {
    const out: AuditRecord[] = [];
    const max = this.opts.maxPending ?? DEFAULT_MAX_PENDING;
    while (this.raw.size + this.reducedHeld.size > max) {
      this.evicted++;
      // The reduced ones are the oldest raw lines that were held; then the oldest raw line.
      if (this.reducedHeld.size > 0) {
        const [id, r] = this.reducedHeld.entries().next().value as [string, AuditRecord];
        this.reducedHeld.delete(id);
        out.push(r);
        continue;
      }
      const [id, p] = this.raw.entries().next().value as [string, { time: string; line: Buffer }];
      this.forget(id);
      const r = this.lineRecord(p.line);
      if (r) out.push(r);
    }
    return out;
  }
}

/**
 * One Vault audit log line at a time (the importer and the live tail share it):
 * the fast path for request lines, a full parse for the rest, the head and tail
 * of oversized lines; events go to the sink, unusable lines to the stats.
 */
export class VaultLineReader {
  readonly joiner: VaultAuditJoiner;
  /** Oversized lines that still gave an event (read by their head and tail). */
  oversizedRead = 0;

  constructor(
    private readonly sink: (records: AuditRecord[]) => void,
    readonly stats: LineStats = emptyStats(),
    opts: JoinerOptions = {},
  ) {
    this.joiner = new VaultAuditJoiner(opts);
  }

  line(line: Buffer, final: boolean): void {
    this.stats.lines++;
    const peek = peekRequest(line);
    if (peek) {
      this.sink(this.joiner.pushRequestLine(peek.id, peek.time, line));
      return;
    }
    const v = parseJsonLine(line, final);
    if (!v.ok) {
      if (v.reason !== 'empty') this.stats[v.reason]++;
      else this.stats.lines--;
      return;
    }
    if (!isVaultAuditEntry(v.value)) {
      this.stats.notAudit++;
      return;
    }
    this.sink(this.joiner.push(v.value));
  }

  /** A line over the size limit: its event from what its head and tail say. */
  oversized(head: Buffer, tail: Buffer): void {
    this.stats.lines++;
    this.oversizedEntry(entryFromHeadAndTail(head, tail));
  }

  /** A collector for the line splitter: scans a line over the size limit as it streams by, never holding it. */
  oversizedCollector(): OversizedCollector {
    const scanner = new JsonFieldScanner();
    return {
      push: (bytes) => scanner.push(bytes),
      end: (tail) => {
        this.stats.lines++;
        this.oversizedEntry(entryFromScan(scanner.result(), tail));
      },
    };
  }

  private oversizedEntry(entry: VaultAuditEntry | null): void {
    if (!entry) return;
    this.oversizedRead++;
    this.sink(this.joiner.push(entry));
  }

  end(): void {
    this.sink(this.joiner.drain());
    this.stats.truncated += this.joiner.unparseable;
    this.joiner.unparseable = 0;
  }
}

/** Parses a whole in-memory log (tests, small files): events plus line statistics. */
export function parseVaultAuditText(text: string, opts: JoinerOptions = {}): { records: AuditRecord[]; stats: LineStats } {
  const records: AuditRecord[] = [];
  const reader = new VaultLineReader((rs) => records.push(...rs), emptyStats(), opts);
  const lines = text.split('\n');
  lines.forEach((l, i) => {
    const final = i === lines.length - 1;
    if (final && l === '') return;
    reader.line(Buffer.from(l, 'utf8'), final && !text.endsWith('\n'));
  });
  reader.end();
  return { records, stats: reader.stats };
}
