// Retention of audit months. Months older than `archiveAfterMonths` leave SQLite
// for a gzip'd NDJSON archive (the console's own export format) listed in
// manifest.json with its SHA-256 and event count; months older than
// `retentionYears` (default 7, the spec's audit retention) are deleted. An
// archived month can be reopened: its checksum is verified, then it is imported
// back (idempotent keys, so reopening twice adds nothing). Archiving a reopened
// month again first loads its old archive, so the new one loses nothing.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { AppError } from '../../../shared/errors';
import type { ImportReport } from '../../../shared/contracts/audit';
import type { AuditRepo } from '../storage/audit-repo';
import { importAuditFile } from './audit-importer';
import { toExported } from './export-format';
import { monthOf } from './audit-record';

export interface RetentionPolicy {
  archiveAfterMonths: number;
  retentionYears: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { archiveAfterMonths: 13, retentionYears: 7 };

export interface ManifestEntry {
  file: string;
  sha256: string;
  events: number;
  archivedAt: string;
}

export interface Manifest {
  format: 'vault-console-audit-archive';
  version: 1;
  months: Record<string, ManifestEntry>;
}

export function monthLabel(month: number): string {
  return `${Math.floor(month / 100)}-${String(month % 100).padStart(2, '0')}`;
}

function monthsBefore(now: Date, n: number): number {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - n, 1));
  return d.getUTCFullYear() * 100 + d.getUTCMonth() + 1;
}

export interface MonthStatus {
  month: number;
  /** yyyy-mm */
  label: string;
  state: 'hot' | 'archived' | 'reopened';
  /** Events in SQLite (hot, reopened) or in the archive (archived). */
  events: number;
  archiveFile: string | null;
  sha256: string | null;
  archivedAt: string | null;
}

export class AuditArchiver {
  /** One archive operation at a time (the daily run, a click in the viewer). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly repo: AuditRepo,
    readonly dir: string,
  ) {}

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async manifest(): Promise<Manifest> {
    try {
      return JSON.parse(await readFile(join(this.dir, 'manifest.json'), 'utf8')) as Manifest;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { format: 'vault-console-audit-archive', version: 1, months: {} };
      throw new AppError('INTERNAL', 'The audit archive manifest cannot be read.', { cause: err });
    }
  }

  private async saveManifest(m: Manifest): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const tmp = join(this.dir, 'manifest.json.tmp');
    await writeFile(tmp, `${JSON.stringify(m, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, join(this.dir, 'manifest.json'));
  }

  /** Every month the store knows, newest first, with where its events are. */
  async list(): Promise<MonthStatus[]> {
    const manifest = await this.manifest();
    return this.repo
      .months()
      .reverse()
      .map((m) => {
        const entry = manifest.months[monthLabel(m.month)];
        return {
          month: m.month,
          label: monthLabel(m.month),
          state: m.state,
          events: m.state === 'archived' ? m.events : this.repo.countMonth(m.month),
          archiveFile: m.archiveFile,
          sha256: m.sha256,
          archivedAt: entry?.archivedAt ?? null,
        };
      });
  }

  /**
   * Applies the policy as of `now`: archives hot months older than
   * archiveAfterMonths, deletes months (and their archives) older than
   * retentionYears. A reopened month stays open until someone archives it again.
   */
  apply(now: Date, policy: RetentionPolicy = DEFAULT_RETENTION): Promise<{ archived: number[]; dropped: number[] }> {
    return this.serial(async () => {
      const archiveBefore = monthsBefore(now, policy.archiveAfterMonths);
      const dropBefore = monthsBefore(now, policy.retentionYears * 12);
      const manifest = await this.manifest();
      const archived: number[] = [];
      const dropped: number[] = [];
      for (const m of this.repo.months()) {
        if (m.month < dropBefore) {
          this.repo.dropMonth(m.month);
          const entry = manifest.months[monthLabel(m.month)];
          if (entry) await rm(join(this.dir, entry.file), { force: true });
          delete manifest.months[monthLabel(m.month)];
          await this.saveManifest(manifest);
          dropped.push(m.month);
        } else if (m.month < archiveBefore && m.state === 'hot') {
          manifest.months[monthLabel(m.month)] = await this.archiveMonth(m.month, now, manifest);
          await this.saveManifest(manifest);
          archived.push(m.month);
        }
      }
      return { archived, dropped };
    });
  }

  /** Archives one month now (a finished month: the current one is still being written). */
  archive(month: number, now: Date): Promise<ManifestEntry> {
    return this.serial(async () => {
      if (month >= monthOf(now.getTime())) throw new AppError('BAD_INPUT', `${monthLabel(month)} has not ended yet; archive it once it is over.`);
      const row = this.repo.months().find((m) => m.month === month);
      if (!row) throw new AppError('NOT_FOUND', `No audit events for ${monthLabel(month)}.`);
      if (row.state === 'archived') throw new AppError('CONFLICT', `${monthLabel(month)} is already archived.`);
      const manifest = await this.manifest();
      const entry = await this.archiveMonth(month, now, manifest);
      manifest.months[monthLabel(month)] = entry;
      await this.saveManifest(manifest);
      return entry;
    });
  }

  private async archiveMonth(month: number, now: Date, manifest: Manifest): Promise<ManifestEntry> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    // A reopened month may hold only part of its events in SQLite: load its archive
    // back first (checksum verified; idempotent keys), so the new archive has them all.
    const previous = manifest.months[monthLabel(month)];
    if (previous) await this.loadArchive(month, previous);
    const file = `audit-${monthLabel(month)}.ndjson.gz`;
    const path = join(this.dir, file);
    const tmp = `${path}.partial`;
    const repo = this.repo;
    const upToId = repo.maxId();
    let events = 0;
    const lines = Readable.from(
      (function* () {
        for (const chunk of repo.monthChunks(month, upToId)) {
          events += chunk.length;
          yield chunk.map((e) => `${JSON.stringify(toExported(e))}\n`).join('');
        }
      })(),
    );
    try {
      await pipeline(lines, createGzip({ level: 9 }), createWriteStream(tmp, { mode: 0o600 }));
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    await rename(tmp, path);
    const sha256 = await sha256File(path);
    // Rows leave SQLite only after the archive is on disk with its checksum.
    this.repo.markArchived(month, file, sha256, events, upToId);
    return { file, sha256, events, archivedAt: now.toISOString() };
  }

  private async loadArchive(month: number, entry: ManifestEntry): Promise<ImportReport> {
    const path = join(this.dir, entry.file);
    const actual = await sha256File(path).catch(() => null);
    if (actual !== entry.sha256) throw new AppError('CONFLICT', `The archive for ${monthLabel(month)} does not match its checksum; it was not opened.`);
    const report = await importAuditFile(this.repo, path);
    if (report.outcome !== 'imported' && report.outcome !== 'empty') throw new AppError('INTERNAL', `The archive for ${monthLabel(month)} could not be read back: ${report.message}`);
    return report;
  }

  /** Verifies the archive's checksum against the manifest, then loads it back. */
  reopen(month: number): Promise<ImportReport> {
    return this.serial(async () => {
      const manifest = await this.manifest();
      const entry = manifest.months[monthLabel(month)];
      if (!entry) throw new AppError('NOT_FOUND', `No archive for ${monthLabel(month)}.`);
      const report = await this.loadArchive(month, entry);
      this.repo.markMonth(month, 'reopened');
      return report;
    });
  }
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest('hex');
}
