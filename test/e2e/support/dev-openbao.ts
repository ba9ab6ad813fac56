// A second, disposable OpenBao in dev mode (in-memory, unsealed) for a test that must
// kill its Vault mid-test; the shared raft server from global setup stays untouched.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureOpenBaoBinary } from '../../services/openbao/openbao';
import { freeLoopbackPort, spawnLogged, stopProcess, waitFor } from '../../services/openbao/process';

export interface DevOpenBao {
  addr: string;
  stop(): Promise<void>;
}

export async function startDevOpenBao(): Promise<DevOpenBao> {
  const bin = await ensureOpenBaoBinary();
  const port = await freeLoopbackPort();
  const addr = `http://127.0.0.1:${port}`;
  const dir = await mkdtemp(join(tmpdir(), 'vault-console-dev-bao-'));
  const logPath = join(dir, 'bao.log');
  const child: ChildProcess = spawnLogged(bin, ['server', '-dev', `-dev-listen-address=127.0.0.1:${port}`], logPath, {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
  });
  await waitFor(
    'dev OpenBao ready',
    async () => (await fetch(`${addr}/v1/sys/health`, { signal: AbortSignal.timeout(2_000) })).status === 200,
    { child, logPath, timeoutMs: 30_000 },
  );
  return {
    addr,
    async stop() {
      await stopProcess(child, 10_000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
