// Starts Debian's Prometheus and Alertmanager (packages prometheus and
// prometheus-alertmanager, installed by scripts/setup.sh) for tests: loopback ports
// chosen by the kernel, temporary configs and storage, clustering off (no :9094).
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort, spawnLogged, stopProcess, waitFor } from '../openbao/process';

export const PROMETHEUS_BIN = process.env.VAULT_CONSOLE_PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const ALERTMANAGER_BIN = process.env.VAULT_CONSOLE_ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';

export interface Running {
  url: string;
  dir: string;
  logPath: string;
  stop(): Promise<void>;
}

async function launch(bin: string, args: (dir: string, port: number) => string[], config: string, readyPath: string, what: string): Promise<Running> {
  const dir = await mkdtemp(join(tmpdir(), `vc-${what}-`));
  const port = await freeLoopbackPort();
  await writeFile(join(dir, 'config.yml'), config, { mode: 0o600 });
  const logPath = join(dir, `${what}.log`);
  const child: ChildProcess = spawnLogged(bin, args(dir, port), logPath, { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${what} ready`, async () => (await fetch(`${url}${readyPath}`, { signal: AbortSignal.timeout(2_000) })).ok, { child, logPath, timeoutMs: 60_000 });
  } catch (err) {
    await stopProcess(child, 5_000);
    throw err;
  }
  return {
    url,
    dir,
    logPath,
    async stop() {
      await stopProcess(child, 10_000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Prometheus with `config` (YAML); its HTTP API at .url. */
export function startPrometheus(config: string): Promise<Running> {
  return launch(
    PROMETHEUS_BIN,
    (dir, port) => [`--config.file=${join(dir, 'config.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    config,
    '/-/ready',
    'prometheus',
  );
}

/** Alertmanager with `config` (YAML), clustering disabled. */
export function startAlertmanager(config: string): Promise<Running> {
  return launch(
    ALERTMANAGER_BIN,
    (dir, port) => [`--config.file=${join(dir, 'config.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
    config,
    '/-/ready',
    'alertmanager',
  );
}

/** One instant query through Prometheus's HTTP API: the samples' values (by their labels). */
export async function promQuery(url: string, query: string): Promise<{ labels: Record<string, string>; value: number }[]> {
  const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`, { signal: AbortSignal.timeout(5_000) });
  const body = (await r.json()) as { status: string; data?: { result?: { metric: Record<string, string>; value: [number, string] }[] }; error?: string };
  if (body.status !== 'success') throw new Error(`query ${query} failed: ${body.error ?? r.status}`);
  return (body.data?.result ?? []).map((x) => ({ labels: x.metric, value: Number(x.value[1]) }));
}
