// A private PostgreSQL 15 server from Debian's packages for tests: initdb in a temp
// dir as the unprivileged `postgres` user (PostgreSQL refuses to run as root),
// listening on a free loopback port only, password auth, stopped and removed after.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freeLoopbackPort, stopProcess, waitFor } from '../openbao/process';

const run = promisify(execFile);

export interface PostgresInstance {
  port: number;
  user: string;
  password: string;
  database: string;
  /** postgres://user:password@127.0.0.1:port/db?sslmode=disable (loopback, test only). */
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** Debian's versioned bin dir (postgresql-15 installs into /usr/lib/postgresql/15/bin). */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((v) => join(root, v, 'bin')).find((d) => existsSync(join(d, 'initdb')));
  if (!found) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)');
  return found;
}

async function osUser(name: string): Promise<{ uid: number; gid: number } | null> {
  try {
    const { stdout: uid } = await run('id', ['-u', name]);
    const { stdout: gid } = await run('id', ['-g', name]);
    return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
  } catch {
    return null;
  }
}

export async function startPostgres(): Promise<PostgresInstance> {
  const bin = postgresBinDir();
  const dir = await mkdtemp(join(tmpdir(), 'vault-console-pg-'));
  // As root, run as the `postgres` system user; otherwise as ourselves.
  const asUser = userInfo().uid === 0 ? await osUser('postgres') : null;
  if (userInfo().uid === 0 && !asUser) throw new Error('running as root but there is no `postgres` user to run PostgreSQL as');
  const dataDir = join(dir, 'data');
  const sockDir = join(dir, 'sock');
  await mkdir(sockDir);
  await mkdir(dataDir, { mode: 0o700 });
  const password = randomBytes(18).toString('base64url');
  const pwFile = join(dir, 'pw');
  await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
  if (asUser) {
    // The temp dir stays closed to others except for traversal; the server owns its files.
    await chmod(dir, 0o711);
    for (const p of [sockDir, dataDir, pwFile]) await chown(p, asUser.uid, asUser.gid);
  }
  const ids = asUser ? { uid: asUser.uid, gid: asUser.gid } : {};
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' };
  await run(join(bin, 'initdb'), ['-D', dataDir, '-U', 'vault', '--auth=scram-sha-256', `--pwfile=${pwFile}`, '-E', 'UTF8', '--no-sync'], {
    ...ids,
    env,
    cwd: dir,
    timeout: 120_000,
  });
  await rm(pwFile, { force: true });
  const port = await freeLoopbackPort();
  const logPath = join(dir, 'postgres.log');
  const child: ChildProcess = spawn(
    join(bin, 'postgres'),
    ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${sockDir}`, '-c', 'fsync=off', '-c', 'max_connections=50'],
    { ...ids, env, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  // The server's log goes to a file next to its data (kept only while it runs).
  const logStream = createWriteStream(logPath, { mode: 0o600 });
  child.stderr?.pipe(logStream);
  try {
    await waitFor(
      'PostgreSQL ready',
      async () => {
        const r = await run(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], { env }).then(
          () => true,
          () => false,
        );
        return r;
      },
      { child, timeoutMs: 60_000, intervalMs: 200 },
    );
  } catch (err) {
    await stopProcess(child, 5_000);
    const tail = await readFile(logPath, 'utf8').catch(() => '');
    throw new Error(`${(err as Error).message}\n${tail.slice(-4000)}`);
  }
  const user = 'vault';
  const database = 'postgres';
  return {
    port,
    user,
    password,
    database,
    url: `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}?sslmode=disable`,
    dataDir,
    async stop() {
      // SIGTERM is PostgreSQL's "smart" shutdown; stopProcess escalates if it hangs.
      await stopProcess(child, 15_000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
