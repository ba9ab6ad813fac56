// Vault's file audit device writes a request entry when a request arrives and a
// response entry when it is answered; both carry request.id. The joiner pairs them
// into one event (time of the request, outcome of the response). A request whose
// response has not been seen yet is held (bounded) and, at the end of an import,
// stored as "pending"; its response completes it later (see AuditRepo.insertMany).
import { isUtf8 } from 'node:buffer';
import { mapVaultEntry, isVaultAuditEntry, str, type MappingOptions, type VaultAuditEntry } from './audit-mapping';
import type { AuditRecord } from './audit-record';

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
const REQUEST_ID_RE = /"request":\{"id":"([^"\\]{1,128})"/;

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
  const head = line.toString('utf8', 0, Math.min(line.length, 4096));
  const m = REQUEST_ID_RE.exec(head);
  if (!m) return null;
  return { id: m[1]!, time: line.toString('utf8', REQUEST_HEAD.length, end) };
}

type PendingRequest = VaultAuditEntry | { lite: true; time: string; line: Buffer };

export class VaultAuditJoiner {
  private readonly pending = new Map<string, PendingRequest>();
  /** Request lines taken by the fast path that proved not to be whole JSON (cut short). */
  unparseable = 0;

  /** A request entry seen through peekRequest; its line is parsed only if it stays pending. */
  pushRequestLine(id: string, time: string, line: Buffer): AuditRecord[] {
    // Copy: the line may be a view into a reused read buffer.
    this.pending.set(id, { lite: true, time, line: Buffer.from(line) });
    return this.evict();
  }

  private full(p: PendingRequest): VaultAuditEntry | undefined {
    if (!('lite' in p)) return p;
    try {
      const v = JSON.parse(p.line.toString('utf8')) as unknown;
      if (isVaultAuditEntry(v)) return v;
    } catch {
      // counted below
    }
    this.unparseable++;
    return undefined;
  }

  private evict(): AuditRecord[] {
    const out: AuditRecord[] = [];
    // Bounded: a log full of requests without responses cannot exhaust memory.
    const max = this.opts.maxPending ?? 50_000;
    while (this.pending.size > max) {
      const [oldId, old] = this.pending.entries().next().value as [string, PendingRequest];
      this.pending.delete(oldId);
      const full = this.full(old);
      const r = full ? mapVaultEntry(full, undefined, this.opts) : null;
      if (r) out.push(r);
    }
    return out;
  }

  constructor(private readonly opts: MappingOptions & { maxPending?: number } = {}) {}

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Returns the events completed by this entry (usually 0 or 1). */
  push(entry: VaultAuditEntry): AuditRecord[] {
    const id = str(entry.request?.id);
    if (entry.type === 'request') {
      if (!id) return [];
      this.pending.set(id, entry);
      return this.evict();
    }
    const req = id ? this.pending.get(id) : undefined;
    if (req) this.pending.delete(id);
    // The response carries the whole request; from the request entry only its time is used.
    const reqEntry: VaultAuditEntry | undefined = req ? ('lite' in req ? { time: req.time, type: 'request' } : req) : undefined;
    const r = mapVaultEntry(reqEntry, entry, this.opts);
    return r ? [r] : [];
  }

  /** Requests still waiting for a response, as pending events. */
  drain(): AuditRecord[] {
    const out: AuditRecord[] = [];
    for (const p of this.pending.values()) {
      const req = this.full(p);
      const r = req ? mapVaultEntry(req, undefined, this.opts) : null;
      if (r) out.push(r);
    }
    this.pending.clear();
    return out;
  }
}

/** Parses a whole in-memory log (tests, small files): events plus line statistics. */
export function parseVaultAuditText(text: string, opts: MappingOptions = {}): { records: AuditRecord[]; stats: LineStats } {
  const joiner = new VaultAuditJoiner(opts);
  const stats = emptyStats();
  const records: AuditRecord[] = [];
  const lines = text.split('\n');
  lines.forEach((l, i) => {
    const final = i === lines.length - 1;
    if (final && l === '') return;
    stats.lines++;
    const v = parseJsonLine(Buffer.from(l, 'utf8'), final && !text.endsWith('\n'));
    if (!v.ok) {
      if (v.reason !== 'empty') stats[v.reason]++;
      return;
    }
    if (!isVaultAuditEntry(v.value)) {
      stats.notAudit++;
      return;
    }
    records.push(...joiner.push(v.value));
  });
  records.push(...joiner.drain());
  return { records, stats };
}
