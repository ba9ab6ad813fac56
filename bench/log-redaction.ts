// The logger's redaction on a megabyte of hostile text, per shape (issue 13, item 16):
// the shapes that made the old patterns backtrack, and dense secret fields (many matches).
// Prints best-of-5 milliseconds per MB at 256 KB, 1 MB and 4 MB: linear shows ~4x per step.
// Standalone: `npx tsx bench/log-redaction.ts`.
import { redact } from '../src/main/services/log/logger';
import { renderTable, type Cell } from './lib/table';

const SHAPES: Record<string, { unit: string; prefix?: string }> = {
  spaces: { unit: ' ' },
  'field name, then spaces': { prefix: 'password', unit: ' ' },
  'names between space runs': { unit: 'token      ' },
  'BEGIN without END': { unit: '-----BEGIN PRIVATE KEY-----' },
  'quoted names, separators': { unit: `"key"  :  '` },
  'dense password=value pairs': { unit: 'password=hunter2 ' },
  'plain words': { unit: 'the quick brown fox ' },
};

function text(shape: { unit: string; prefix?: string }, n: number): string {
  const prefix = shape.prefix ?? '';
  return prefix + shape.unit.repeat(Math.ceil((n - prefix.length) / shape.unit.length)).slice(0, n - prefix.length);
}

function best(t: string): number {
  let b = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    redact(t);
    b = Math.min(b, performance.now() - t0);
  }
  return b;
}

const rows: Cell[][] = [];
for (const [name, shape] of Object.entries(SHAPES)) {
  const [a, b, c] = [1 << 18, 1 << 20, 1 << 22].map((n) => best(text(shape, n)));
  rows.push([name, a!, b!, c!, c! / b!]);
}
process.stdout.write(`${renderTable(['shape', '256 KB ms', '1 MB ms', '4 MB ms', '4 MB / 1 MB'], rows)}\n`);
