// Test-only stand-in for main's native open dialogs in the harness: the spec writes
// what "the user picks" into a file of the run's private state dir, and the next
// dialog main opens answers with it (once). The renderer still names no file.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AuditFilePicker } from '../../../src/main/services/audit/audit-files';

interface Picks {
  logFile?: string | null;
  importFiles?: string[];
}

function take(path: string): Picks {
  if (!existsSync(path)) return {};
  const picks = JSON.parse(readFileSync(path, 'utf8')) as Picks;
  rmSync(path, { force: true });
  return picks;
}

export function fileAuditPicker(path: string): AuditFilePicker {
  return {
    pickLogFile: async () => take(path).logFile ?? null,
    pickImportFiles: async () => take(path).importFiles ?? [],
  };
}

/** In a spec: what the next dialog returns. */
export function choose(path: string, picks: Picks): void {
  writeFileSync(path, JSON.stringify(picks), { mode: 0o600 });
}
