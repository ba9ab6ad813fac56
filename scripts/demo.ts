// The README's first command (after setup): a local OpenBao seeded with demo tenants,
// a local S3-protocol server for backups, and the console pointed at both: an Electron
// window where an Electron binary exists, otherwise the browser harness (its URL is
// printed). Data persists in .vault-console-dev/demo, so a second run is quick.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { startDemoStack } from './demo-stack';

const ROOT = resolve(__dirname, '..');
const DEMO_DIR = join(ROOT, '.vault-console-dev', 'demo');

function argValue(name: string, fallback: number): number {
  const i = process.argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return fallback;
  const raw = process.argv[i]!.includes('=') ? process.argv[i]!.split('=')[1] : process.argv[i + 1];
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} needs a whole number`);
  return n;
}

function electronBinary(): string | null {
  try {
    const path = createRequire(__filename)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const tenants = argValue('tenants', 300);
  const electron = electronBinary();
  const stack = await startDemoStack({ tenants, dir: DEMO_DIR, log: (line) => process.stderr.write(`${line}\n`), harness: !electron });
  const { bao, backup } = stack;

  let stopUi: () => Promise<void> = async () => undefined;
  if (electron) {
    const child = spawn('npx', ['electron-vite', 'preview'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...stack.env } });
    stopUi = async () => {
      child.kill('SIGTERM');
    };
    child.on('exit', () => void shutdown());
    // The Electron app keeps its settings in its own profile: enter these once in Backups → Settings.
    process.stdout.write(
      `\nBackups: in Backups → Settings enter bucket ${backup.bucket}, endpoint ${backup.endpoint}, region ${backup.region},` +
        ` access key id ${backup.accessKeyId}, secret access key ${backup.secretAccessKey} (a throwaway local server).\n`,
    );
  } else {
    process.stdout.write(`\nNo Electron binary here: the console runs in the browser harness.\nOpen: ${stack.harness!.url}\n`);
    process.stdout.write(`Backups go to the local S3 server at ${backup.endpoint} (bucket ${backup.bucket}, versioning on): Force Backup Now works.\n`);
  }
  // A throwaway local server: its demo credentials are printed for the person at the keyboard.
  process.stdout.write(
    `\nVault (OpenBao ${bao.version}) at ${bao.addr}\nSign in as ${bao.users.admin.username} / ${bao.users.admin.password}` +
      ` (or ${bao.users.auditor.username} / ${bao.users.auditor.password} for read-only)\nCtrl-C stops everything.\n`,
  );

  let stopping = false;
  async function shutdown(): Promise<void> {
    if (stopping) return;
    stopping = true;
    await stopUi().catch(() => undefined);
    await stack.stop();
    process.exit(0);
  }
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

main().catch((err: unknown) => {
  process.stderr.write(`[demo] ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
