// Starts a real VictoriaLogs (Apache-2.0 log database, built from the Go module proxy by
// build.sh) on a free loopback port with a temporary data dir. Cheap enough (well under a
// second) to start per test file. Optional basic auth through its own -httpAuth.* flags.
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuiltBinary, freeLoopbackPort, spawnLogged, stopProcess, waitFor } from '../openbao/process';

export interface StartVictoriaLogsOptions {
  dataDir?: string;
  port?: number;
  /** Basic auth on every endpoint (VictoriaLogs' -httpAuth.username/-httpAuth.password). */
  basicAuth?: { username: string; password: string };
}

export interface VictoriaLogsInstance {
  url: string;
  dataDir: string;
  logPath: string;
  pid: number;
  port: number;
  /** Makes everything ingested so far searchable now (tests only; the server does it every second). */
  flush(): Promise<void>;
  stop(opts?: { removeData?: boolean }): Promise<void>;
}

export function ensureVictoriaLogsBinary(): Promise<string> {
  return ensureBuiltBinary(join(__dirname, 'build.sh'), 'VictoriaLogs', 'VAULT_CONSOLE_VLOGS_BIN');
}

export async function startVictoriaLogs(opts: StartVictoriaLogsOptions = {}): Promise<VictoriaLogsInstance> {
  const bin = await ensureVictoriaLogsBinary();
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'vault-console-vlogs-')));
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const port = opts.port ?? (await freeLoopbackPort());
  const url = `http://127.0.0.1:${port}`;
  const logPath = join(dataDir, 'victoria-logs.log');
  const args = [
    `-httpListenAddr=127.0.0.1:${port}`, // loopback only
    `-storageDataPath=${join(dataDir, 'data')}`,
    // Audit corpora carry their own (past) timestamps; the default 7 days would drop them.
    '-retentionPeriod=100y',
    '-futureRetention=2d',
    '-loggerLevel=WARN',
  ];
  // The password goes in a file, not argv (any local user can read argv in ps).
  if (opts.basicAuth) {
    const { writeFile } = await import('node:fs/promises');
    const pwFile = join(dataDir, 'httpauth-password');
    await writeFile(pwFile, opts.basicAuth.password, { mode: 0o600 });
    args.push(`-httpAuth.username=${opts.basicAuth.username}`, `-httpAuth.password=file://${pwFile}`);
  }
  const child: ChildProcess = spawnLogged(bin, args, logPath, { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir() });
  const authHeader = opts.basicAuth ? { authorization: `Basic ${Buffer.from(`${opts.basicAuth.username}:${opts.basicAuth.password}`).toString('base64')}` } : undefined;
  try {
    await waitFor('VictoriaLogs listening', async () => (await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000), ...(authHeader ? { headers: authHeader } : {}) })).ok, { child, logPath, timeoutMs: 30_000 });
  } catch (err) {
    await stopProcess(child, 5_000);
    throw err;
  }
  return {
    url,
    dataDir,
    logPath,
    port,
    pid: child.pid!,
    async flush() {
      const r = await fetch(`${url}/internal/force_flush`, { ...(authHeader ? { headers: authHeader } : {}) });
      if (!r.ok) throw new Error(`force_flush: HTTP ${r.status}`);
    },
    async stop({ removeData = opts.dataDir === undefined } = {}) {
      await stopProcess(child, 10_000);
      if (removeData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
