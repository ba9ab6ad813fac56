// An OpenBao on PostgreSQL storage (HA enabled), for the logical backup path: such a
// server has no raft snapshot. Used until the shared PostgreSQL-backed OpenBao pair
// exists in test/services; then switch to it.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baoRequest, health } from '../../services/openbao/openbao-api';
import { configureOpenBao, type OpenBaoUsers } from '../../services/openbao/openbao-configure';
import { ensureOpenBaoBinary } from '../../services/openbao/openbao';
import { freeLoopbackPort, spawnLogged, stopProcess, waitFor } from '../../services/openbao/process';
import { startPostgres, type PostgresInstance } from '../../services/postgres/postgres';

export interface PgOpenBao {
  addr: string;
  rootToken: string;
  users: OpenBaoUsers;
  stop(): Promise<void>;
}

export async function startPgOpenBao(): Promise<PgOpenBao> {
  const pg: PostgresInstance = await startPostgres();
  const dir = await mkdtemp(join(tmpdir(), 'vault-console-pgbao-'));
  let child: ChildProcess | undefined;
  const stop = async () => {
    if (child) await stopProcess(child, 15_000);
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const port = await freeLoopbackPort();
    const clusterPort = await freeLoopbackPort();
    const addr = `http://127.0.0.1:${port}`;
    const q = JSON.stringify;
    const config = `storage "postgresql" {
  connection_url = ${q(pg.url)}
  ha_enabled     = "true"
}
listener "tcp" {
  address         = ${q(`127.0.0.1:${port}`)}
  cluster_address = ${q(`127.0.0.1:${clusterPort}`)}
  tls_disable     = true
}
api_addr     = ${q(addr)}
cluster_addr = ${q(`http://127.0.0.1:${clusterPort}`)}
`;
    const configPath = join(dir, 'config.hcl');
    await writeFile(configPath, config, { mode: 0o600 });
    const logPath = join(dir, 'bao.log');
    child = spawnLogged(await ensureOpenBaoBinary(), ['server', `-config=${configPath}`], logPath, { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir() });
    await waitFor('OpenBao (PostgreSQL) listening', async () => (await health(addr)).status > 0, { child, logPath, timeoutMs: 30_000 });
    const init = await baoRequest<{ keys_base64: string[]; root_token: string }>(addr, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
    await baoRequest(addr, 'PUT', 'sys/unseal', { body: { key: init.keys_base64[0] } });
    await waitFor('OpenBao (PostgreSQL) active', async () => (await health(addr)).status === 200, { child, logPath, timeoutMs: 30_000 });
    const users = await configureOpenBao(addr, init.root_token, 'tenants');
    return { addr, rootToken: init.root_token, users, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
