// An OpenBao with a second listener over TLS, for the console's TLS tests: a CA and a
// server certificate (SAN 127.0.0.1) generated with openssl in a temp dir, plus an
// unrelated CA that must NOT be trusted. The server runs in dev mode (in-memory,
// unsealed) with its plain loopback listener, and -config adds the TLS listener.
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureOpenBaoBinary } from './openbao';
import { freeLoopbackPort, spawnLogged, stopProcess, waitFor } from './process';

const run = promisify(execFile);

export interface TestCa {
  dir: string;
  caCertPem: string;
  /** A second, unrelated CA: a client trusting only this must refuse the server. */
  otherCaCertPem: string;
  certPath: string;
  keyPath: string;
}

/** A throwaway CA and a server certificate for 127.0.0.1, valid one day. */
export async function generateTestCa(dir: string): Promise<TestCa> {
  const p = (f: string) => join(dir, f);
  const ssl = (...args: string[]) => run('openssl', args, { cwd: dir, timeout: 60_000 });
  for (const name of ['ca', 'other-ca']) {
    await ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', p(`${name}.key`), '-out', p(`${name}.pem`), '-days', '1', '-subj', `/CN=vault-console test ${name}`);
  }
  await ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', '/CN=127.0.0.1');
  await writeFile(p('server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n');
  await ssl('x509', '-req', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p('server.pem'), '-days', '1', '-extfile', p('server.ext'));
  return {
    dir,
    caCertPem: await readFile(p('ca.pem'), 'utf8'),
    otherCaCertPem: await readFile(p('other-ca.pem'), 'utf8'),
    certPath: p('server.pem'),
    keyPath: p('server.key'),
  };
}

export interface TlsOpenBao {
  /** https://127.0.0.1:PORT (the TLS listener). */
  tlsAddr: string;
  /** http://127.0.0.1:PORT (the plain dev listener). */
  addr: string;
  rootToken: string;
  ca: TestCa;
  stop(): Promise<void>;
}

export interface TlsOpenBaoOptions {
  /** OpenBao's tls_min_version / tls_max_version ("tls12", "tls13"). */
  minVersion?: 'tls12' | 'tls13';
  maxVersion?: 'tls12' | 'tls13';
  /** Reuse a CA (to start a second server under the same CA). */
  ca?: TestCa;
}

export async function startTlsOpenBao(opts: TlsOpenBaoOptions = {}): Promise<TlsOpenBao> {
  const bin = await ensureOpenBaoBinary();
  const dir = await mkdtemp(join(tmpdir(), 'vault-console-tls-bao-'));
  const ca = opts.ca ?? (await generateTestCa(dir));
  const [port, tlsPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const q = JSON.stringify;
  const config = `listener "tcp" {
  address         = ${q(`127.0.0.1:${tlsPort}`)}
  tls_cert_file   = ${q(ca.certPath)}
  tls_key_file    = ${q(ca.keyPath)}
  tls_min_version = ${q(opts.minVersion ?? 'tls12')}
${opts.maxVersion ? `  tls_max_version = ${q(opts.maxVersion)}\n` : ''}}
`;
  const configPath = join(dir, 'tls.hcl');
  await writeFile(configPath, config, { mode: 0o600 });
  const rootToken = `tls-test-${process.pid}-${tlsPort}`;
  const logPath = join(dir, 'bao.log');
  const child: ChildProcess = spawnLogged(
    bin,
    ['server', '-dev', `-dev-listen-address=127.0.0.1:${port}`, `-dev-root-token-id=${rootToken}`, `-config=${configPath}`],
    logPath,
    { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
  );
  const addr = `http://127.0.0.1:${port}`;
  try {
    await waitFor('TLS OpenBao ready', async () => (await fetch(`${addr}/v1/sys/health`, { signal: AbortSignal.timeout(2_000) })).status === 200, {
      child,
      logPath,
      timeoutMs: 30_000,
    });
  } catch (err) {
    await stopProcess(child, 5_000);
    throw err;
  }
  return {
    tlsAddr: `https://127.0.0.1:${tlsPort}`,
    addr,
    rootToken,
    ca,
    async stop() {
      await stopProcess(child, 10_000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
