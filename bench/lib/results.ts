// Writes one JSON file per benchmark to bench/results/<name>.json (git-ignored).
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

export const RESULTS_DIR = resolve(__dirname, '..', 'results');

export interface BenchRecord {
  name: string;
  description: string;
  startedAt: string;
  durationMs: number;
  environment: Record<string, string | number>;
  metrics: Record<string, unknown>;
}

export function environment(vault: { version: string; storage: string }): Record<string, string | number> {
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    vaultVersion: vault.version,
    vaultStorage: vault.storage,
  };
}

export async function writeResult(rec: BenchRecord): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${rec.name}.json`);
  await writeFile(path, `${JSON.stringify(rec, null, 2)}\n`);
  return path;
}
