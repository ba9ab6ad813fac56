// `vault-console` — the console's services headless: break-glass status checks,
// seeding, scripts. main() is exported so a bin wrapper or a test can call it;
// the guard below runs it only when this file is the program (tsx src/main/cli.ts,
// node out/main/cli.js), never when it is imported.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CliIo } from './cli/io';
import { runCli } from './cli/run';
import { createLogger } from './services/log/logger';

export type { CliIo } from './cli/io';

let warningsRouted = false;

/**
 * Node's own warnings (a dependency's deprecation notice) become log lines like any other:
 * shown on success or behind -verbose, never between the user and the one error line.
 */
function routeNodeWarnings(): void {
  if (warningsRouted) return;
  warningsRouted = true;
  process.removeAllListeners('warning');
  const nodeLog = createLogger('node');
  process.on('warning', (w) => nodeLog.warn(`${w.name}: ${w.message.split('\n')[0]}`));
}

export async function main(argv: string[], io?: Partial<CliIo>): Promise<number> {
  // The real program (bin/vault-console.mjs, tsx src/main/cli.ts) passes no io; tests do.
  if (!io) routeNodeWarnings();
  return runCli(argv, {
    stdout: io?.stdout ?? process.stdout,
    stderr: io?.stderr ?? process.stderr,
    env: io?.env ?? process.env,
  });
}

function samePath(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  const strip = (p: string) => p.replace(/\.(c|m)?(j|t)s$/, '');
  return strip(real(a)) === strip(real(b));
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  let self = '';
  try {
    self = fileURLToPath(import.meta.url);
  } catch {
    // CommonJS builds have no import.meta.url.
    self = typeof __filename === 'string' ? __filename : '';
  }
  return self !== '' && samePath(script, self);
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.stderr.write('Error: internal error [INTERNAL]\n');
      process.exitCode = 1;
    },
  );
}
