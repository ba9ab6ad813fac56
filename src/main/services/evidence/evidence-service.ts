// Evidence packs for the app, the CLI and the harness: any audit query exported as a
// signed, hash-chained pack, read from the active profile's audit source (the local
// store or VictoriaLogs; the manifest says which); the install's public key (and
// fingerprint) for auditors; offline verification. The SOC 2 report (built from the
// local store) is packed through writeSignedPack as well.
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { AuditFilter } from '../../../shared/contracts/audit';
import { AppError } from '../../../shared/errors';
import type { AuditEventSource } from '../audit-source/audit-source';
import { LocalAuditSource } from '../audit-source/local-source';
import type { Logger } from '../log/logger';
import type { AuditRepo, StoredEvent } from '../storage/audit-repo';
import type { Clock } from '../time/clock';
import { LOCAL_EVENT_SOURCE, type PackKind, type PackSource } from './evidence-format';
import { writePack, type PackResult } from './pack-writer';
import { verifyPack, type VerifyResult } from './pack-verifier';
import type { EvidenceSigningKey } from './signing-key';

export interface EvidenceServiceDeps {
  /** The local store: its imported files, and the events when no other source is given. */
  repo: AuditRepo;
  /** The active profile's audit source, where a query's events are read (default: the local store). */
  source?: () => AuditEventSource;
  key: EvidenceSigningKey;
  clock: Clock;
  log: Logger;
  /** Where packs and the exported public key go (the app's exports folder). */
  exportDir: string;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/;
/** A public key file is a few hundred bytes; anything this large is not one. */
const MAX_KEY_FILE = 64 * 1024;

/**
 * A source's chunks (oldest first) with the events of one millisecond ordered by event
 * key: each store orders ties by its own ids (SQLite row ids, hashed keys on
 * VictoriaLogs), so the same events make the same chain on every source, whatever order
 * they were imported or forwarded in. The last millisecond of a chunk waits for the next
 * chunk (memory: one chunk and one millisecond's events).
 */
export async function* byTimeThenKey(chunks: AsyncIterable<readonly StoredEvent[]>): AsyncGenerator<StoredEvent[]> {
  let held: StoredEvent[] = [];
  const order = (a: StoredEvent, b: StoredEvent) => a.ts - b.ts || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  for await (const chunk of chunks) {
    if (chunk.length === 0) continue;
    const all = held.concat(chunk);
    const lastTs = all[all.length - 1]!.ts;
    let cut = all.length;
    while (cut > 0 && all[cut - 1]!.ts === lastTs) cut--;
    held = all.slice(cut);
    if (cut > 0) yield all.slice(0, cut).sort(order);
  }
  if (held.length) yield held.sort(order);
}

export class EvidenceService {
  private local: LocalAuditSource | null = null;

  constructor(private readonly deps: EvidenceServiceDeps) {}

  private source(): AuditEventSource {
    return this.deps.source?.() ?? (this.local ??= new LocalAuditSource(this.deps.repo));
  }

  /** The imported source files as the pack lists them (name and SHA-256, never the folder they came from). */
  sources(): PackSource[] {
    return this.deps.repo.access
      .imports()
      .filter((i) => i.outcome === 'imported' || i.outcome === 'partial')
      .map((i) => ({ file: basename(i.file), sha256: i.sha256, format: i.format, events: i.inserted, imported_at: i.importedAt }));
  }

  private packDir(name: string | undefined, prefix: string): string {
    const stamp = new Date(this.deps.clock.now()).toISOString().replace(/[:.]/g, '-');
    const n = (name ?? '').trim() || `${prefix}-${stamp}`;
    if (!NAME_RE.test(n)) throw new AppError('BAD_INPUT', 'A pack name is 1-101 letters, digits and . _ - (no folders).');
    return join(this.deps.exportDir, n.endsWith('.evidence') ? n : `${n}.evidence`);
  }

  /**
   * An audit query as an evidence pack in the exports folder (or at `dir`, for the CLI),
   * its events read from the active audit source oldest first, in chunks. A source that
   * fails mid-way fails the export (writePack leaves no pack that looks whole). Imported
   * files are listed for the local store only: events in VictoriaLogs were not imported.
   */
  async exportQuery(filter: AuditFilter, opts: { name?: string; dir?: string } = {}): Promise<PackResult> {
    const dir = opts.dir ? resolve(opts.dir) : this.packDir(opts.name, 'audit');
    const source = this.source();
    await mkdir(opts.dir ? resolve(dir, '..') : this.deps.exportDir, { recursive: true, mode: 0o700 });
    const r = await writePack({
      dir,
      kind: 'audit-query',
      createdAt: new Date(this.deps.clock.now()).toISOString(),
      query: { ...filter },
      range: { from: filter.from ?? null, to: filter.to ?? null },
      events: byTimeThenKey(source.chunks(filter, 5000)),
      sources: source.kind === 'local' ? this.sources() : [],
      eventSource: { kind: source.kind, label: source.label },
      key: await this.deps.key.key(),
    });
    this.deps.log.info(`evidence pack ${basename(dir)}: ${r.records} events from ${source.kind === 'local' ? 'the local store' : 'VictoriaLogs'}, chain head ${r.chainHead.slice(0, 12)}…, signed by ${r.fingerprint}`);
    return r;
  }

  /** Events of the local store and files as a signed pack (the SOC 2 report). Deterministic for the same inputs. */
  async writeSignedPack(input: { dir: string; kind: PackKind; createdAt: string; query: Record<string, unknown>; range: { from: string | null; to: string | null }; events: Iterable<readonly StoredEvent[]>; files: Array<{ name: string; bytes: Buffer }> }): Promise<PackResult> {
    return writePack({ ...input, sources: this.sources(), eventSource: LOCAL_EVENT_SOURCE, key: await this.deps.key.key() });
  }

  /** The install's public key (created on first use) and its fingerprint. */
  async publicKey(): Promise<{ pem: string; fingerprint: string }> {
    const k = await this.deps.key.key();
    return { pem: k.publicKeyPem, fingerprint: k.fingerprint };
  }

  /** Writes the public key (PEM) to the exports folder, or to `path` (CLI). */
  async exportPublicKey(path?: string): Promise<{ path: string; fingerprint: string }> {
    const k = await this.publicKey();
    const target = path ? resolve(path) : join(this.deps.exportDir, 'vault-console-evidence-key.pem');
    await mkdir(resolve(target, '..'), { recursive: true, mode: 0o700 });
    await writeFile(target, k.pem, { mode: 0o644 });
    return { path: target, fingerprint: k.fingerprint };
  }

  /** Verifies a pack; pubkeyPath: the signer's public key file as handed over (PEM). */
  async verify(packDir: string, pubkeyPath?: string | null): Promise<VerifyResult> {
    let trusted: string | null = null;
    if (pubkeyPath) {
      let size = 0;
      try {
        size = (await stat(pubkeyPath)).size;
      } catch {
        throw new AppError('NOT_FOUND', `The public key file ${JSON.stringify(basename(pubkeyPath).slice(0, 80))} cannot be read.`);
      }
      if (size > MAX_KEY_FILE) throw new AppError('BAD_INPUT', 'That is not a public key file (too large).');
      trusted = await readFile(pubkeyPath, 'utf8');
    }
    return verifyPack(resolve(packDir), trusted);
  }
}
