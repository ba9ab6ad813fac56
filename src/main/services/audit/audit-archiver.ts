// Retention of audit months. Months older than `archiveAfterMonths` leave SQLite
// for a gzip'd NDJSON archive (the console's own export format) listed in
// manifest.json with its SHA-256 and event count; months older than
// `retentionYears` (default 7, the spec's audit retention) are deleted. An
// archived month can be reopened: its checksum is verified, then it is imported
// back (idempotent keys, so reopening twice adds nothing).
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

export class AuditArchiver {
  constructor(private readonly repo: AuditRepo, private readonly dir: string) {}

  async manifest(): Promise<Manifest> {
    try {
      return JSON.parse(await readFile(join(this.dir, 'manifest.json'), 'utf8')) as Manifest;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { format: 'vault-console-audit-archive', version: 1, months: {} };
      throw new AppError('INTERNAL', 'The audit archive manifest cannot be read.', { cause: err });
    }
  }

  private async saveManifest(m: Manifest): Promise<void> {
    const tmp = join(this.dir, 'manifest.json.tmp');
    await writeFile(tmp, `${JSON.stringify(m, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, join(this.dir, 'manifest.json'));
  }

  /** Applies the policy as of `now`: archives old hot months, drops expired ones. */
  async apply(now: Date, policy: RetentionPolicy = DEFAULT_RETENTION): Promise<{ archived: number[]; dropped: number[] }> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
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
        dropped.push(m.month);
      } else if (m.month < archiveBefore && m.state !== 'archived') {
        manifest.months[monthLabel(m.month)] = await this.archiveMonth(m.month, now);
        archived.push(m.month);
      }
    }
    await this.saveManifest(manifest);
    return { archived, dropped };
  }

  private async archiveMonth(month: number, now: Date): Promise<ManifestEntry> {
    const file = `audit-${monthLabel(month)}.ndjson.gz`;
    const path = join(this.dir, file);
    const tmp = `${path}.partial`;
    const repo = this.repo;
    let events = 0;
    const lines = Readable.from(
      (function* () {
        for (const chunk of repo.monthChunks(month)) {
          events += chunk.length;
          yield chunk.map((e) => `${JSON.stringify(toExported(e))}\n`).join('');
        }
      })(),
    );
    await pipeline(lines, createGzip({ level: 9 }), createWriteStream(tmp, { mode: 0o600 }));
    await rename(tmp, path);
    const sha256 = await sha256File(path);
    // Rows leave SQLite only after the archive is on disk with its checksum.
    this.repo.markArchived(month, file, sha256, events);
    return { file, sha256, events, archivedAt: now.toISOString() };
  }

  /** Verifies the archive's checksum against the manifest, then loads it back. */
  async reopen(month: number): Promise<ImportReport> {
    const manifest = await this.manifest();
    const entry = manifest.months[monthLabel(month)];
    if (!entry) throw new AppError('NOT_FOUND', `No archive for ${monthLabel(month)}.`);
    const path = join(this.dir, entry.file);
    const actual = await sha256File(path).catch(() => null);
    if (actual !== entry.sha256) throw new AppError('CONFLICT', `The archive for ${monthLabel(month)} does not match its checksum; it was not reopened.`);
    const report = await importAuditFile(this.repo, path);
    this.repo.markMonth(month, 'reopened');
    return report;
  }
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest('hex');
}
