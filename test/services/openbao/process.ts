// Process and port helpers shared by the test-service launchers (OpenBao, S3).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { promisify } from 'node:util';
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    // Loopback only: the test services never listen on a routable address.
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolvePort(port) : reject(new Error('could not get a free port'))));
    });
  });
}

/** Spawns a server with stdout+stderr appended to a log file, never to our console. */
export function spawnLogged(cmd: string, args: string[], logPath: string, env?: NodeJS.ProcessEnv): ChildProcess {
  const fd = openSync(logPath, 'a', 0o600);
  try {
    return spawn(cmd, args, { stdio: ['ignore', fd, fd], env: env ?? process.env, detached: false });
  } finally {
    closeSync(fd);
  }
}

export function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** SIGTERM, wait up to timeoutMs, then SIGKILL. Resolves once the process is gone. */
export async function stopProcess(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (!isAlive(child)) return;
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  child.kill('SIGTERM');
  const timer = new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), timeoutMs).unref());
  if ((await Promise.race([exited, timer])) === 'timeout' && isAlive(child)) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Polls probe() until it returns true, or fails with the last error after timeoutMs. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  opts: { timeoutMs?: number; intervalMs?: number; child?: ChildProcess; logPath?: string } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last = 'not ready';
  for (;;) {
    if (opts.child && !isAlive(opts.child)) {
      throw new Error(`${what}: process exited (code ${opts.child.exitCode}); see ${opts.logPath ?? 'its log'}`);
    }
    try {
      if (await probe()) return;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${opts.timeoutMs ?? 30_000} ms (${last})`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}

/**
 * Runs a cached-build script (it prints the binary's path as its last line and builds only
 * when the cache misses); `overrideEnv` names a variable that points at a binary instead.
 */
export async function ensureBuiltBinary(buildScript: string, what: string, overrideEnv: string): Promise<string> {
  const override = process.env[overrideEnv];
  if (override) return override;
  try {
    const { stdout } = await promisify(execFile)('bash', [buildScript], { maxBuffer: 64 * 1024 * 1024, timeout: 20 * 60_000 });
    const path = stdout.trim().split('\n').pop() ?? '';
    if (!path || !existsSync(path)) throw new Error(`build script printed no binary path (got ${JSON.stringify(path)})`);
    return path;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${what} build failed: ${(e.stderr ?? e.message).trim().split('\n').slice(-15).join('\n')}`);
  }
}
