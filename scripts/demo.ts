// The README's first command (after setup): a local OpenBao seeded with demo tenants,
// a local S3-protocol server for backups, and the console pointed at both: an Electron
// window where an Electron binary exists, otherwise the browser harness (its URL is
// printed). Data persists in .vault-console-dev/demo, so a second run is quick.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { connectionFromEnv } from '../src/main/services/config/app-config';
import { createVaultClient, type VaultClient } from '../src/main/services/vault/vault-client';
import { DkimDnsVault } from '../src/main/services/dkim-dns/dkim-dns-vault';
import { zoneFragment, type RecordToPublish } from '../src/main/services/dkim-dns/dkim-txt';
import { startKnot, type KnotInstance } from '../test/services/dns/knot';
import type { OpenBaoInstance } from '../test/services/openbao/openbao';
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
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const stack = await startDemoStack({ tenants, dir: DEMO_DIR, log, harness: !electron, dkimDnsRecheck: true, beforeConsole: (b) => demoDns(b, tenants, log) });
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
      ` (or ${bao.users.auditor.username} / ${bao.users.auditor.password} for read-only)\n` +
      `Viewing credentials needs a second factor that another admin grants: sign in as ${bao.users.secondAdmin.username} / ${bao.users.secondAdmin.password}, Two-factor → Grant an enrolment for ${bao.users.admin.username}.\nCtrl-C stops everything.\n`,
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

/**
 * DKIM DNS checks ask a local Knot DNS (never the machine's resolver): the current DKIM
 * records of every other tenant are published there, so the demo shows both states.
 */
async function demoDns(bao: OpenBaoInstance, tenants: number, log: (line: string) => void): Promise<{ env: Record<string, string>; stop?: () => Promise<void> }> {
  const dnsZones = ['example.com', 'example.net', 'example.org'];
  let knot: KnotInstance | null = null;
  try {
    knot = await startKnot(Object.fromEntries(dnsZones.map((z) => [z, ''])));
    const zone = await demoDkimZone(createVaultClient(connectionFromEnv({ VAULT_ADDR: bao.addr }), bao.rootToken), bao.kvMount, Math.min(tenants, 200));
    for (const z of dnsZones) await knot.setZone(z, zone.split('\n').filter((l) => l.startsWith(';') || l.includes(`.${z}. IN TXT`)).join('\n'));
    log(`[demo] DNS (Knot) for DKIM checks at ${knot.address}`);
    const k = knot;
    return { env: { VAULT_CONSOLE_DNS_RESOLVERS: k.address }, stop: () => k.stop() };
  } catch (err) {
    await knot?.stop().catch(() => undefined);
    log(`[demo] no local DNS server for DKIM checks (${err instanceof Error ? err.message : String(err)}); DKIM checks will report "no answer"`);
    return { env: { VAULT_CONSOLE_DNS_RESOLVERS: '127.0.0.1:9' } };
  }
}

/** The current DKIM records of every other demo tenant (t-000001, t-000003, …), as a zone fragment. */
async function demoDkimZone(client: VaultClient, mount: string, count: number): Promise<string> {
  const v = new DkimDnsVault(client, mount);
  const records: RecordToPublish[] = [];
  try {
    for (let n = 1; n <= count; n += 2) {
      const t = `t-${String(n).padStart(6, '0')}`;
      for (const d of await v.domains(t)) {
        const f = await v.facts(`${t}/dkim/${d}`);
        if (f?.selector && f.txt) records.push({ tenantId: t, domain: d, role: 'new', name: `${f.selector}._domainkey.${d}`, value: f.txt, note: 'demo' });
      }
    }
  } finally {
    client.close();
  }
  return zoneFragment(records, 'Vault Console demo: DKIM records of every other tenant');
}

main().catch((err: unknown) => {
  process.stderr.write(`[demo] ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
