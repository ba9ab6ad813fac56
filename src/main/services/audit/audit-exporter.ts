// Streams the current filter to disk as CSV (RFC 4180, formula-neutralised),
// one JSON document, or NDJSON, hashing as it writes; the SHA-256 is returned and
// written beside the file as "<file>.sha256" (sha256sum format). Written to a
// temp name and renamed, so a failed export never leaves a file that looks whole.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { AuditFilter } from '../../../shared/contracts/audit';
import type { StoredEvent } from '../storage/audit-repo';
import { csvHeader, csvRow, EXPORT_FORMAT_ID, EXPORT_VERSION, toExported } from './export-format';

export type ExportFormat = 'csv' | 'json' | 'ndjson';

export interface ExportResult {
  path: string;
  checksumPath: string;
  sha256: string;
  count: number;
  bytes: number;
}

/** Anything that walks a filter's events oldest first in chunks: the local repo, or an audit source. */
export interface ChunkedEvents {
  chunks(filter: AuditFilter): Iterable<StoredEvent[]> | AsyncIterable<StoredEvent[]>;
}

export async function exportAudit(repo: ChunkedEvents, filter: AuditFilter, format: ExportFormat, path: string, exportedAt: Date): Promise<ExportResult> {
  const tmp = `${path}.partial`;
  const out = createWriteStream(tmp, { mode: 0o600 });
  const hash = createHash('sha256');
  let bytes = 0;
  let count = 0;
  const write = async (s: string) => {
    const b = Buffer.from(s, 'utf8');
    hash.update(b);
    bytes += b.length;
    if (!out.write(b)) await new Promise<void>((resolve, reject) => {
      out.once('drain', resolve);
      out.once('error', reject);
    });
  };
  try {
    if (format === 'csv') await write(csvHeader());
    if (format === 'json') {
      await write(`{"format":"${EXPORT_FORMAT_ID}","version":${EXPORT_VERSION},"exported_at":${JSON.stringify(exportedAt.toISOString())},"filter":${JSON.stringify(filter)},"events":[`);
    }
    for await (const chunk of repo.chunks(filter)) {
      let s = '';
      for (const e of chunk) {
        const x = toExported(e);
        if (format === 'csv') s += csvRow(x);
        else if (format === 'ndjson') s += `${JSON.stringify(x)}\n`;
        else s += `${count === 0 ? '\n' : ',\n'}${JSON.stringify(x)}`;
        count++;
      }
      await write(s);
    }
    if (format === 'json') await write(`\n],"count":${count}}\n`);
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    await rename(tmp, path);
  } catch (err) {
    out.destroy();
    await rm(tmp, { force: true });
    throw err;
  }
  const sha256 = hash.digest('hex');
  const checksumPath = `${path}.sha256`;
  await writeFile(checksumPath, `${sha256}  ${basename(path)}\n`, { mode: 0o600 });
  return { path, checksumPath, sha256, count, bytes };
}
