// A real authoritative DNS server for the DKIM DNS tests: Knot DNS (Debian's `knot`,
// installed by scripts/setup.sh with its system service disabled) started as this user on
// a free loopback port, serving zones the test writes. No root, no port 53, no system
// config: its own config, storage and control socket in a temp dir.
//   const dns = await startKnot({ 'example.com': 'sel._domainkey.mail IN TXT "v=DKIM1; …"' });
//   dns.address  → "127.0.0.1:40123"   (give it to the console as a resolver)
//   await dns.setZone('example.com', '…')  (reload; resolves once the new serial is served)
//   dns.pause() / dns.resume()  (SIGSTOP/SIGCONT: a resolver that does not answer)
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promises as dns } from 'node:dns';
import { promisify } from 'node:util';

const KNOTD = '/usr/sbin/knotd';
const KNOTC = '/usr/sbin/knotc';
const run = promisify(execFile);

export interface KnotInstance {
  host: string;
  port: number;
  /** "127.0.0.1:<port>", the form a resolver list takes. */
  address: string;
  dir: string;
  pid: number;
  setZone(origin: string, records: string): Promise<void>;
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/** A port free for both UDP and TCP on 127.0.0.1 right now. */
async function freePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free loopback port for knotd');
}

function zoneText(origin: string, serial: number, records: string): string {
  return [`$ORIGIN ${origin}.`, '$TTL 60', `@ IN SOA ns1 hostmaster ${serial} 3600 600 86400 60`, '@ IN NS ns1', 'ns1 IN A 127.0.0.1', records, ''].join('\n');
}

async function servedSerial(address: string, origin: string): Promise<number | null> {
  const r = new dns.Resolver({ timeout: 300, tries: 1 });
  r.setServers([address]);
  try {
    return (await r.resolveSoa(origin)).serial;
  } catch {
    return null;
  } finally {
    r.cancel();
  }
}

async function until(what: string, fn: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`knotd: timed out waiting for ${what}`);
}

export async function startKnot(zones: Record<string, string>): Promise<KnotInstance> {
  if (!existsSync(KNOTD)) throw new Error(`${KNOTD} not found: run scripts/setup.sh (it installs Debian's knot for the DKIM DNS tests)`);
  const dir = await mkdtemp(join(tmpdir(), 'vc-knot-'));
  const serials = new Map<string, number>();
  for (const [origin, records] of Object.entries(zones)) {
    serials.set(origin, 1);
    await writeFile(join(dir, `${origin}.zone`), zoneText(origin, 1, records));
  }
  let lastErr: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const conf = [
      'server:',
      `    rundir: "${dir}"`,
      `    listen: 127.0.0.1@${port}`,
      '    udp-workers: 1',
      '    tcp-workers: 1',
      '    background-workers: 1',
      'log:',
      '  - target: stderr',
      '    any: warning',
      'database:',
      `    storage: "${dir}"`,
      'template:',
      '  - id: default',
      `    storage: "${dir}"`,
      '    file: "%s.zone"',
      '    journal-content: none',
      '    zonefile-sync: -1',
      'zone:',
      ...Object.keys(zones).map((z) => `  - domain: ${z}`),
      '',
    ].join('\n');
    const confPath = join(dir, 'knot.conf');
    await writeFile(confPath, conf);
    const child: ChildProcess = spawn(KNOTD, ['-c', confPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    let exited = false;
    child.once('exit', () => (exited = true));
    try {
      await until('zones to be served', async () => {
        if (exited) throw new Error(`knotd exited: ${stderr.trim()}`);
        for (const origin of Object.keys(zones)) if ((await servedSerial(address, origin)) !== 1) return false;
        return true;
      });
    } catch (err) {
      lastErr = err;
      child.kill('SIGKILL');
      continue;
    }
    const sock = join(dir, 'knot.sock');
    const inst: KnotInstance = {
      host: '127.0.0.1',
      port,
      address,
      dir,
      pid: child.pid!,
      async setZone(origin, records) {
        const serial = (serials.get(origin) ?? 0) + 1;
        serials.set(origin, serial);
        await writeFile(join(dir, `${origin}.zone`), zoneText(origin, serial, records));
        await run(KNOTC, ['-s', sock, 'zone-reload', origin]);
        await until(`serial ${serial} of ${origin}`, async () => (await servedSerial(address, origin)) === serial);
      },
      pause() {
        child.kill('SIGSTOP');
      },
      resume() {
        child.kill('SIGCONT');
      },
      async stop() {
        if (!exited) {
          child.kill('SIGCONT');
          child.kill('SIGTERM');
          await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 3000))]);
          if (!exited) child.kill('SIGKILL');
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
    return inst;
  }
  await rm(dir, { recursive: true, force: true });
  throw lastErr instanceof Error ? lastErr : new Error('knotd did not start');
}

/** `<selector>._domainkey.<label> IN TXT ( "…" "…" )` with the value split into strings of at most `chunk` bytes. */
export function txtRecord(owner: string, value: string, chunk = 255): string {
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += chunk) parts.push(value.slice(i, i + chunk));
  return `${owner} IN TXT ( ${parts.map((p) => `"${p}"`).join(' ')} )`;
}
