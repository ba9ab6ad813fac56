// Starts a real OpenBao 2.4.0 server for tests and the demo: raft storage in a temp dir,
// loopback listener, file audit device, initialised with 5 key shares (threshold 3),
// unsealed and configured (KV v2, userpass, TOTP, transit, the console's policies).
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baoRequest, health } from './openbao-api';
import { renderOpenBaoConfig } from './openbao-config';
import { configureOpenBao, type OpenBaoUsers } from './openbao-configure';
import { ensureBuiltBinary, freeLoopbackPort, spawnLogged, stopProcess, waitFor } from './process';

export const OPENBAO_VERSION = '2.4.0';
const KEY_SHARES = 5;
const KEY_THRESHOLD = 3;

export interface StartOpenBaoOptions {
  /** Reused if it already holds an initialised server (its init.json gives the keys). */
  dataDir?: string;
  port?: number;
  kvMount?: string;
}

export interface OpenBaoInstance {
  addr: string;
  version: string;
  rootToken: string;
  unsealKeys: string[];
  threshold: number;
  kvMount: string;
  users: OpenBaoUsers;
  auditLogPath: string;
  dataDir: string;
  configPath: string;
  logPath: string;
  pid: number;
  /** SIGTERM, wait, SIGKILL after a timeout. removeData deletes the data dir afterwards. */
  stop(opts?: { removeData?: boolean }): Promise<void>;
  /** Stop, start again on the same data dir and port, unseal. */
  restart(): Promise<void>;
}

interface InitResult {
  keys_base64: string[];
  root_token: string;
}

/** Builds (or reuses) the cached binary through build.sh; returns its path. */
export function ensureOpenBaoBinary(): Promise<string> {
  return ensureBuiltBinary(join(__dirname, 'build.sh'), 'OpenBao', 'VAULT_CONSOLE_BAO_BIN');
}

function serverEnv(): NodeJS.ProcessEnv {
  // A clean env: a developer's BAO_ADDR/VAULT_TOKEN must not leak into the test server.
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir() };
}

export async function unsealOpenBao(inst: Pick<OpenBaoInstance, 'addr' | 'unsealKeys' | 'threshold'>): Promise<void> {
  for (const key of inst.unsealKeys.slice(0, inst.threshold)) {
    const r = await baoRequest<{ sealed: boolean }>(inst.addr, 'PUT', 'sys/unseal', { body: { key } });
    if (!r.sealed) break;
  }
  // Unsealed is not yet active: raft must elect this node leader first.
  await waitFor('OpenBao active after unseal', async () => (await health(inst.addr)).status === 200, {
    timeoutMs: 30_000,
  });
}

export async function sealOpenBao(inst: Pick<OpenBaoInstance, 'addr' | 'rootToken'>): Promise<void> {
  await baoRequest(inst.addr, 'PUT', 'sys/seal', { token: inst.rootToken });
  await waitFor('OpenBao sealed', async () => (await health(inst.addr)).sealed, { timeoutMs: 15_000 });
}

export async function startOpenBao(opts: StartOpenBaoOptions = {}): Promise<OpenBaoInstance> {
  const kvMount = opts.kvMount ?? 'tenants';
  const bin = await ensureOpenBaoBinary();
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'vault-console-openbao-')));
  await mkdir(join(dataDir, 'raft'), { recursive: true, mode: 0o700 });
  const port = opts.port ?? (await freeLoopbackPort());
  const clusterPort = await freeLoopbackPort();
  const addr = `http://127.0.0.1:${port}`;
  const configPath = join(dataDir, 'config.hcl');
  const auditLogPath = join(dataDir, 'audit.log');
  const logPath = join(dataDir, 'bao.log');
  const initPath = join(dataDir, 'init.json');
  await writeFile(configPath, renderOpenBaoConfig({ port, clusterPort, raftDir: join(dataDir, 'raft'), auditLogPath }), {
    mode: 0o600,
  });

  let child: ChildProcess;
  const launch = async () => {
    child = spawnLogged(bin, ['server', `-config=${configPath}`], logPath, serverEnv());
    // Any answer from sys/health (even 501 uninitialised or 503 sealed) means it listens.
    await waitFor('OpenBao listening', async () => (await health(addr)).status > 0, { child, logPath, timeoutMs: 30_000 });
  };
  await launch();

  try {
    let init: InitResult;
    if ((await health(addr)).initialized) {
      if (!existsSync(initPath)) throw new Error(`${dataDir} holds an initialised server but no init.json with its keys`);
      init = JSON.parse(await readFile(initPath, 'utf8')) as InitResult;
    } else {
      init = await baoRequest<InitResult>(addr, 'PUT', 'sys/init', {
        body: { secret_shares: KEY_SHARES, secret_threshold: KEY_THRESHOLD },
      });
      // Test fixture only: a throwaway server's keys, 0600 in its own data dir, so a
      // restart on the same data dir can unseal.
      await writeFile(initPath, JSON.stringify(init), { mode: 0o600 });
    }
    const keys = { addr, unsealKeys: init.keys_base64, threshold: KEY_THRESHOLD };
    await unsealOpenBao(keys);
    const users = await configureOpenBao(addr, init.root_token, kvMount);
    const version = (await health(addr)).version;

    const inst: OpenBaoInstance = {
      addr,
      version,
      rootToken: init.root_token,
      unsealKeys: init.keys_base64,
      threshold: KEY_THRESHOLD,
      kvMount,
      users,
      auditLogPath,
      dataDir,
      configPath,
      logPath,
      pid: child!.pid ?? -1,
      async stop(stopOpts = {}) {
        await stopProcess(child, 15_000);
        if (stopOpts.removeData) await rm(dataDir, { recursive: true, force: true });
      },
      async restart() {
        await stopProcess(child, 15_000);
        await launch();
        inst.pid = child.pid ?? -1;
        await unsealOpenBao(keys);
      },
    };
    return inst;
  } catch (err) {
    await stopProcess(child!, 5_000);
    throw err;
  }
}
