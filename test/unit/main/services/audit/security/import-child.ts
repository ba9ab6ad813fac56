// Child process for audit-import-memory-bounded.test.ts: imports one file into a fresh
// SQLite store, as main does, and reports the import and how far its resident memory
// grew (peak RSS from /proc/self/status after the import minus RSS before it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importAuditFile } from '../../../../../../src/main/services/audit/audit-importer';
import { AuditRepo } from '../../../../../../src/main/services/storage/audit-repo';
import { openDatabase } from '../../../../../../src/main/services/storage/database';

function kb(field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(m?.[1] ?? NaN);
}

async function main(): Promise<void> {
  const [file, dir] = process.argv.slice(2) as [string, string];
  const repo = new AuditRepo(openDatabase(join(dir, 'child.db')));
  // Warm the import path on an empty file, so module loading is not counted as growth.
  global.gc?.();
  const before = kb('VmRSS');
  const report = await importAuditFile(repo, file);
  const peak = kb('VmHWM');
  process.stdout.write(`${JSON.stringify({ before, peak, growthMB: (peak - before) / 1024, report })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exitCode = 1;
});
