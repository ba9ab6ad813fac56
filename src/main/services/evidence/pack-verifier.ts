// Verifies an evidence pack offline, with only the pack and (ideally) the signer's public
// key: the manifest's signature, every listed file's SHA-256, and the hash chain of
// events.ndjson line by line, naming the first broken record. The pack is hostile input:
// file names are checked against a plain pattern (nothing outside the pack is read),
// sizes are bounded, lines are read in chunks (no whole-file read), and nothing in the
// pack is ever executed or trusted before its check.
import { createHash, hash as oneShot, verify as edVerify, type KeyObject } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  EVENTS_FILE,
  FILE_NAME_RE,
  fingerprintOf,
  GENESIS,
  HASH_TRAILER_BYTES,
  MANIFEST_FILE,
  MAX_LINE_BYTES,
  MAX_MANIFEST_BYTES,
  PACK_FORMAT,
  PACK_VERSION,
  parsePublicKey,
  SIGNATURE_FILE,
  type Manifest,
} from './evidence-format';

export type VerifyProblemKind =
  | 'unreadable'
  | 'manifest'
  | 'signature'
  | 'other-signer'
  | 'file'
  | 'malformed'
  | 'changed'
  | 'missing'
  | 'out-of-order'
  | 'chain'
  | 'truncated'
  | 'extra'
  | 'head';

export interface VerifyProblem {
  kind: VerifyProblemKind;
  /** The first broken record's sequence number (1-based), where there is one. */
  record: number | null;
  /** Its line in events.ndjson (1-based). */
  line: number | null;
  message: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Whether the signature was checked against a key given by the caller (not only the pack's own). */
  signerChecked: boolean;
  fingerprint: string | null;
  kind: string | null;
  records: number;
  bytes: number;
  /** The first problem found (the first broken record, for the events); null when intact. */
  problem: VerifyProblem | null;
  /** Every file problem and the first events problem (several can hold at once). */
  problems: VerifyProblem[];
  manifest: Manifest | null;
  seconds: number;
}

const PREFIX = Buffer.from('{"seq":');
const PREV = Buffer.from(',"prev":"');
const EVENT = Buffer.from('","event":');
const TRAILER = Buffer.from(',"hash":"');
const NL = 10;

const sha256hex = (b: Buffer): string => (typeof oneShot === 'function' ? oneShot('sha256', b, 'hex') : createHash('sha256').update(b).digest('hex'));

/** line[at..] starts with the bytes of want (a short constant: a JS loop beats a native call here). */
function has(line: Buffer, at: number, want: Buffer): boolean {
  if (at + want.length > line.length) return false;
  for (let i = 0; i < want.length; i++) if (line[at + i] !== want[i]) return false;
  return true;
}

interface LineInfo {
  seq: number;
  /** Offsets of the 64 hex characters of prev and hash in the line. */
  prevAt: number;
  hashAt: number;
  /** The hash recomputed from the line's body matches its stated hash. */
  selfOk: boolean;
}

const scratch = Buffer.alloc(64);

/**
 * Parses one record line (without its newline); null when its shape is wrong. The hot loop of
 * verification: no regular expression, no string but the computed hash, constant checks in JS.
 */
function parseLine(line: Buffer): LineInfo | null {
  const n = line.length;
  if (n < PREFIX.length + PREV.length + 64 + EVENT.length + 2 + HASH_TRAILER_BYTES || n > MAX_LINE_BYTES) return null;
  if (!has(line, 0, PREFIX)) return null;
  const tStart = n - HASH_TRAILER_BYTES;
  if (!has(line, tStart, TRAILER) || line[n - 2] !== 34 || line[n - 1] !== 125) return null;
  // seq: 1-12 digits, no leading zero.
  let i = PREFIX.length;
  let seq = 0;
  const digits = i;
  while (i < n && line[i]! >= 48 && line[i]! <= 57 && i - digits < 12) seq = seq * 10 + (line[i++]! - 48);
  if (i === digits || (line[digits] === 48 && i - digits > 1)) return null;
  if (!has(line, i, PREV)) return null;
  const prevAt = i + PREV.length;
  if (!has(line, prevAt + 64, EVENT)) return null;
  const hashAt = tStart + TRAILER.length;
  // The computed hash, as lower-case hex, against the stated one (not hex: not equal).
  scratch.write(sha256hex(line.subarray(0, tStart)), 0, 'latin1');
  return { seq, prevAt, hashAt, selfOk: line.compare(scratch, 0, 64, hashAt, hashAt + 64) === 0 };
}

/** Reads a file line by line in 8 MB chunks; calls fn(line, lineNo, finalWithoutNewline). Stops when fn returns false. */
async function forEachLine(path: string, fn: (line: Buffer, lineNo: number, unterminated: boolean) => boolean): Promise<number> {
  const fh = await open(path, 'r');
  const buf = Buffer.allocUnsafe(8 << 20);
  let carry: Buffer | null = null;
  let lineNo = 0;
  let total = 0;
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      let data = buf.subarray(0, bytesRead);
      if (carry) {
        data = Buffer.concat([carry, data]);
        carry = null;
      }
      let start = 0;
      for (;;) {
        const nl = data.indexOf(NL, start);
        if (nl < 0) break;
        lineNo++;
        if (!fn(data.subarray(start, nl), lineNo, false)) return total;
        start = nl + 1;
      }
      if (start < data.length) {
        // A line longer than the limit is malformed; keep only enough of it to say so.
        carry = Buffer.from(data.subarray(start, Math.min(data.length, start + MAX_LINE_BYTES + 1)));
      }
    }
    if (carry && carry.length > 0) {
      lineNo++;
      fn(carry, lineNo, true);
    }
    return total;
  } finally {
    await fh.close();
  }
}

async function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  const fh = await open(path, 'r');
  const buf = Buffer.allocUnsafe(8 << 20);
  let bytes = 0;
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      bytes += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return { sha256: h.digest('hex'), bytes };
}

function isManifest(v: unknown): v is Manifest {
  if (!v || typeof v !== 'object') return false;
  const m = v as Partial<Manifest>;
  return (
    m.format === PACK_FORMAT &&
    m.version === PACK_VERSION &&
    typeof m.events === 'object' &&
    m.events !== null &&
    m.events.file === EVENTS_FILE &&
    Number.isSafeInteger(m.events.records) &&
    typeof m.events.chain_head === 'string' &&
    Array.isArray(m.files) &&
    (m.event_source === undefined || (typeof m.event_source === 'object' && m.event_source !== null && typeof m.event_source.label === 'string' && typeof m.event_source.kind === 'string')) &&
    typeof m.signer === 'object' &&
    m.signer !== null &&
    typeof m.signer.public_key === 'string'
  );
}

/**
 * Verifies the pack at dir. trustedKey: the signer's public key as handed over (PEM or
 * base64 SPKI); without it the signature is checked against the pack's own key only,
 * which proves integrity but not who signed (signerChecked false).
 */
export async function verifyPack(dir: string, trustedKey?: string | null): Promise<VerifyResult> {
  const started = performance.now();
  const problems: VerifyProblem[] = [];
  const result = (extra: Partial<VerifyResult>): VerifyResult => {
    const r: VerifyResult = {
      ok: problems.length === 0,
      signerChecked: false,
      fingerprint: null,
      kind: null,
      records: 0,
      bytes: 0,
      problem: problems[0] ?? null,
      problems,
      manifest: null,
      seconds: (performance.now() - started) / 1000,
      ...extra,
    };
    r.ok = problems.length === 0;
    r.problem = problems[0] ?? null;
    return r;
  };
  const fail = (kind: VerifyProblemKind, message: string, record: number | null = null, line: number | null = null) => problems.push({ kind, record, line, message });

  // ---- manifest and signature ----
  let manifestRaw: Buffer;
  let sigText: string;
  try {
    const st = await stat(join(dir, MANIFEST_FILE));
    if (st.size > MAX_MANIFEST_BYTES) {
      fail('manifest', `${MANIFEST_FILE} is larger than ${MAX_MANIFEST_BYTES} bytes: not a pack manifest.`);
      return result({});
    }
    manifestRaw = await readFile(join(dir, MANIFEST_FILE));
    sigText = (await readFile(join(dir, SIGNATURE_FILE), 'utf8')).slice(0, 4096).trim();
  } catch {
    fail('unreadable', `Not an evidence pack: ${MANIFEST_FILE} or ${SIGNATURE_FILE} cannot be read in ${dir}.`);
    return result({});
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(manifestRaw.toString('utf8'));
  } catch {
    parsed = null;
  }
  if (!isManifest(parsed)) {
    fail('manifest', `${MANIFEST_FILE} is not a ${PACK_FORMAT} v${PACK_VERSION} manifest.`);
    return result({});
  }
  const manifest = parsed;
  const packKey = parsePublicKey(manifest.signer.public_key);
  const signature = Buffer.from(sigText, 'base64');
  const signedBy = (k: KeyObject | null) => {
    if (!k || signature.length !== 64) return false;
    try {
      return edVerify(null, manifestRaw, k, signature);
    } catch {
      return false;
    }
  };
  let signerChecked = false;
  let fingerprint = packKey ? fingerprintOf(packKey) : null;
  if (trustedKey !== undefined && trustedKey !== null) {
    const trusted = parsePublicKey(trustedKey);
    if (!trusted) {
      fail('signature', 'The public key given is not an Ed25519 public key (PEM "PUBLIC KEY").');
      return result({ manifest, kind: manifest.kind });
    }
    signerChecked = true;
    const want = fingerprintOf(trusted);
    if (!signedBy(trusted)) {
      if (signedBy(packKey)) fail('other-signer', `The manifest was signed by another key (${fingerprint}), not by the key given (${want}): re-signed.`);
      else fail('signature', `The manifest's signature does not verify with the key given (${want}): ${MANIFEST_FILE} or ${SIGNATURE_FILE} was changed.`);
    } else fingerprint = want;
  } else if (!signedBy(packKey)) {
    fail('signature', `The manifest's signature does not verify with the pack's own key: ${MANIFEST_FILE} or ${SIGNATURE_FILE} was changed.`);
  }

  // ---- other files ----
  for (const f of manifest.files) {
    if (!f || typeof f.name !== 'string' || !FILE_NAME_RE.test(f.name) || f.name === EVENTS_FILE || f.name === MANIFEST_FILE || f.name === SIGNATURE_FILE) {
      fail('manifest', `The manifest names a file that cannot be part of a pack: ${JSON.stringify(String(f?.name).slice(0, 80))}.`);
      continue;
    }
    try {
      const got = await sha256File(join(dir, f.name));
      if (got.sha256 !== f.sha256 || got.bytes !== f.bytes) fail('file', `${f.name} was changed: its SHA-256 is not the one in the manifest.`);
    } catch {
      fail('file', `${f.name} is missing from the pack.`);
    }
  }

  // ---- the chain ----
  const want = manifest.events.records;
  let expectSeq = 1;
  // The previous record's hash as its 64 hex bytes (copied: the line buffer is reused).
  const prevHash = Buffer.from(GENESIS, 'latin1');
  let records = 0;
  let chainProblem: VerifyProblem | null = null;
  const seqAt: number[] = [];
  let bytes = 0;
  try {
    bytes = await forEachLine(join(dir, EVENTS_FILE), (line, lineNo, unterminated) => {
      const info = parseLine(line);
      if (!info || unterminated) {
        chainProblem = {
          kind: unterminated ? 'truncated' : 'malformed',
          record: expectSeq,
          line: lineNo,
          message: unterminated
            ? `Record ${expectSeq} (line ${lineNo}) is cut off: the file ends inside it (truncated).`
            : `Record ${expectSeq} (line ${lineNo}) is not a record line: a byte was changed, added or removed there.`,
        };
        return false;
      }
      if (!info.selfOk) {
        chainProblem = { kind: 'changed', record: expectSeq, line: lineNo, message: `Record ${expectSeq} (line ${lineNo}) was changed: its content does not match its hash.` };
        return false;
      }
      if (info.seq !== expectSeq) {
        seqAt.push(info.seq);
        chainProblem = { kind: info.seq > expectSeq ? 'missing' : 'out-of-order', record: expectSeq, line: lineNo, message: '' };
        (chainProblem as VerifyProblem & { found: number }).found = info.seq;
        return false;
      }
      if (line.compare(prevHash, 0, 64, info.prevAt, info.prevAt + 64) !== 0) {
        chainProblem = { kind: 'chain', record: expectSeq, line: lineNo, message: `Record ${expectSeq} (line ${lineNo}) does not follow record ${expectSeq - 1}: record ${expectSeq - 1} was changed and re-hashed, or the chain was rebuilt from here.` };
        return false;
      }
      line.copy(prevHash, 0, info.hashAt, info.hashAt + 64);
      records++;
      expectSeq++;
      return true;
    });
  } catch {
    fail('unreadable', `${EVENTS_FILE} is missing or unreadable.`);
    return result({ manifest, kind: manifest.kind, fingerprint, signerChecked });
  }
  if (chainProblem) {
    const p = chainProblem as VerifyProblem & { found?: number };
    if (p.kind === 'missing' || p.kind === 'out-of-order') {
      // Tell a swap from a deletion: is the expected record further on?
      const expected = p.record!;
      let foundAt: number | null = null;
      await forEachLine(join(dir, EVENTS_FILE), (line, lineNo) => {
        if (lineNo <= p.line!) return true;
        const info = parseLine(line);
        if (info && info.seq === expected) {
          foundAt = lineNo;
          return false;
        }
        return lineNo < p.line! + 100_000;
      });
      if (foundAt !== null) p.message = `Record ${expected} is out of order: line ${p.line} holds record ${p.found}, and record ${expected} comes later (line ${foundAt}).`;
      else if (p.kind === 'missing') p.message = `Record ${expected} is missing: line ${p.line} holds record ${p.found} (${p.found! - expected} record(s) deleted before it).`;
      else p.message = `Record ${expected} is out of order: line ${p.line} holds record ${p.found}, which came before.`;
      if (foundAt !== null) p.kind = 'out-of-order';
    }
    delete p.found;
    problems.push(p);
  } else if (records < want) {
    fail('truncated', `Record ${records + 1} is missing: the file ends after record ${records} of ${want} (truncated).`, records + 1, records + 1);
  } else if (records > want) {
    fail('extra', `Record ${want + 1} (line ${want + 1}) is not in the manifest: records were added after the last one signed.`, want + 1, want + 1);
  } else if (prevHash.toString('latin1') !== manifest.events.chain_head) {
    fail('head', `The chain ends in a hash that is not the manifest's chain head: record ${records} (the last) was replaced.`, records, records);
  }
  return result({ manifest, kind: manifest.kind, fingerprint, signerChecked, records, bytes });
}
