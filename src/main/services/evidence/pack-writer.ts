// Writes an evidence pack (evidence-format.ts): the events as hash-chained NDJSON, any
// other files, then the manifest and its Ed25519 signature. Written into "<dir>.partial"
// and renamed at the end, so a failed export never leaves a folder that looks whole; an
// existing pack is never overwritten. Deterministic: the same events, files, query,
// creation time and key give the same bytes (Ed25519 signatures are deterministic).
import { createHash, hash as oneShot, sign } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../../shared/errors';
import type { StoredEvent } from '../storage/audit-repo';
import { toExported } from '../audit/export-format';
import {
  EVENTS_FILE,
  FILE_NAME_RE,
  GENESIS,
  MANIFEST_FILE,
  manifestBytes,
  PACK_FORMAT,
  PACK_VERSION,
  recordBody,
  recordLine,
  SIGNATURE_FILE,
  type Manifest,
  LOCAL_EVENT_SOURCE,
  type PackEventSource,
  type PackKind,
  type PackSource,
} from './evidence-format';
import type { SigningKey } from './signing-key';

export interface PackInput {
  dir: string;
  kind: PackKind;
  createdAt: string;
  query: Record<string, unknown>;
  /** The range asked for (ISO), if any. */
  range: { from: string | null; to: string | null };
  /** Oldest first, in chunks; an error from the source ends the pack (nothing that looks whole is left). */
  events: Iterable<readonly StoredEvent[]> | AsyncIterable<readonly StoredEvent[]>;
  sources: PackSource[];
  /** Where the events were read (default: the local store). */
  eventSource?: PackEventSource;
  files?: Array<{ name: string; bytes: Buffer }>;
  key: SigningKey;
}

export interface PackResult {
  dir: string;
  records: number;
  bytes: number;
  chainHead: string;
  fingerprint: string;
  manifestSha256: string;
  /** The label of the audit source the events were read from. */
  source: string;
}

// crypto.hash (one shot, Node 20.12+) is about twice as fast per call as createHash for small inputs.
const sha256 = (s: string): string => (typeof oneShot === 'function' ? oneShot('sha256', s, 'hex') : createHash('sha256').update(s).digest('hex'));

export async function writePack(input: PackInput): Promise<PackResult> {
  if (existsSync(input.dir)) throw new AppError('CONFLICT', `${input.dir} already exists; an evidence pack is never overwritten.`);
  for (const f of input.files ?? []) {
    if (!FILE_NAME_RE.test(f.name) || [MANIFEST_FILE, SIGNATURE_FILE, EVENTS_FILE].includes(f.name)) throw new AppError('INTERNAL', `Not a pack file name: ${f.name}`);
  }
  const tmp = `${input.dir}.partial`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true, mode: 0o700 });
  try {
    const out = createWriteStream(join(tmp, EVENTS_FILE), { mode: 0o600 });
    // One error listener for the whole write (not one per wait for 'drain').
    let failed: Error | null = null;
    let wake: (() => void) | null = null;
    out.on('error', (err) => {
      failed = err;
      wake?.();
    });
    let prev = GENESIS;
    let seq = 0;
    let bytes = 0;
    let first: number | null = null;
    let last: number | null = null;
    const byAction: Record<string, number> = {};
    const write = async (s: string) => {
      const b = Buffer.from(s, 'utf8');
      bytes += b.length;
      if (failed) throw failed;
      if (!out.write(b)) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          out.once('drain', resolve);
        });
        wake = null;
        if (failed) throw failed;
      }
    };
    try {
      for await (const chunk of input.events) {
        let s = '';
        for (const e of chunk) {
          seq++;
          const body = recordBody(seq, prev, JSON.stringify(toExported(e)));
          prev = sha256(body);
          s += recordLine(body, prev);
          first ??= e.ts;
          last = e.ts;
          byAction[e.action] = (byAction[e.action] ?? 0) + 1;
        }
        if (s) await write(s);
      }
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    } catch (err) {
      out.destroy();
      throw err;
    }
    const files = [];
    for (const f of [...(input.files ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      await writeFile(join(tmp, f.name), f.bytes, { mode: 0o600 });
      files.push({ name: f.name, sha256: createHash('sha256').update(f.bytes).digest('hex'), bytes: f.bytes.length });
    }
    const manifest: Manifest = {
      format: PACK_FORMAT,
      version: PACK_VERSION,
      kind: input.kind,
      created_at: input.createdAt,
      query: input.query,
      time_range: {
        from: input.range.from,
        to: input.range.to,
        first_event: first === null ? null : new Date(first).toISOString(),
        last_event: last === null ? null : new Date(last).toISOString(),
      },
      counts: { events: seq, by_action: Object.fromEntries(Object.entries(byAction).sort(([a], [b]) => (a < b ? -1 : 1))) },
      events: { file: EVENTS_FILE, records: seq, bytes, chain_genesis: GENESIS, chain_head: prev },
      sources: input.sources,
      event_source: { ...(input.eventSource ?? LOCAL_EVENT_SOURCE) },
      files,
      signer: { algorithm: 'Ed25519', public_key: input.key.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'), fingerprint: input.key.fingerprint },
    };
    const mb = manifestBytes(manifest);
    const signature = sign(null, mb, input.key.privateKey);
    await writeFile(join(tmp, MANIFEST_FILE), mb, { mode: 0o600 });
    await writeFile(join(tmp, SIGNATURE_FILE), `${signature.toString('base64')}\n`, { mode: 0o600 });
    await rename(tmp, input.dir);
    return { dir: input.dir, records: seq, bytes, chainHead: prev, fingerprint: input.key.fingerprint, manifestSha256: createHash('sha256').update(mb).digest('hex'), source: (input.eventSource ?? LOCAL_EVENT_SOURCE).label };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
