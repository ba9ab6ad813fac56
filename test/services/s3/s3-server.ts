// Starts a real S3-protocol server on loopback for tests: versitygw (Apache-2.0) with its
// posix backend, which supports bucket versioning. Built and cached by build.sh.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuiltBinary, freeLoopbackPort, spawnLogged, stopProcess, waitFor } from '../openbao/process';

export interface StartS3Options {
  dataDir?: string;
  port?: number;
  region?: string;
  /** Fixed root credentials (the demo keeps its bucket across runs); random when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface S3Instance {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  dataDir: string;
  logPath: string;
  versioning: boolean;
  pid: number;
  stop(opts?: { removeData?: boolean }): Promise<void>;
}

const HEALTH_PATH = '/vault-console-health';

export function ensureS3Binary(): Promise<string> {
  return ensureBuiltBinary(join(__dirname, 'build.sh'), 'S3 server', 'VAULT_CONSOLE_S3_BIN');
}

export async function startS3(opts: StartS3Options = {}): Promise<S3Instance> {
  const bin = await ensureS3Binary();
  const region = opts.region ?? 'us-east-1';
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'vault-console-s3-')));
  const bucketsDir = join(dataDir, 'buckets');
  const versionsDir = join(dataDir, 'versions');
  await mkdir(bucketsDir, { recursive: true, mode: 0o700 });
  await mkdir(versionsDir, { recursive: true, mode: 0o700 });
  const port = opts.port ?? (await freeLoopbackPort());
  const endpoint = `http://127.0.0.1:${port}`;
  const logPath = join(dataDir, 'versitygw.log');
  const accessKeyId = opts.credentials?.accessKeyId ?? `vctest${randomBytes(6).toString('hex')}`;
  const secretAccessKey = opts.credentials?.secretAccessKey ?? randomBytes(24).toString('base64url');

  // Credentials go through the environment, not argv, which any local user can read in ps.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    ROOT_ACCESS_KEY_ID: accessKeyId,
    ROOT_SECRET_ACCESS_KEY: secretAccessKey,
    VGW_REGION: region,
  };
  const args = [
    '--port', `127.0.0.1:${port}`, // loopback only
    '--quiet',
    '--health', HEALTH_PATH,
    'posix',
    '--versioning-dir', versionsDir,
    bucketsDir,
  ];
  const child: ChildProcess = spawnLogged(bin, args, logPath, env);
  try {
    await waitFor(
      'S3 server listening',
      async () => (await fetch(`${endpoint}${HEALTH_PATH}`, { signal: AbortSignal.timeout(2_000) })).ok,
      { child, logPath, timeoutMs: 30_000 },
    );
  } catch (err) {
    await stopProcess(child, 5_000);
    throw err;
  }
  return {
    endpoint,
    region,
    accessKeyId,
    secretAccessKey,
    dataDir,
    logPath,
    versioning: true,
    pid: child.pid ?? -1,
    async stop(stopOpts = {}) {
      await stopProcess(child, 10_000);
      if (stopOpts.removeData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
