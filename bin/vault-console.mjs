#!/usr/bin/env node
// The `vault-console` command: runs the CLI built by `npm run build` (out/main/cli.js).
// From a source checkout without a build, `npm run cli --` runs it through tsx.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'out', 'main', 'cli.js');
if (!existsSync(built)) {
  console.error('vault-console: not built yet; run `npm run build`, or use `npm run cli -- <command>` from a checkout.');
  process.exit(1);
}
const require = createRequire(import.meta.url);
const { main } = require(built);
process.exitCode = await main(process.argv.slice(2));
