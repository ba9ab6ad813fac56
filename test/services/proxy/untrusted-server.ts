// The server an attacker (or a misconfigured proxy) would put where Vault should be: a
// self-signed certificate for 127.0.0.1, TLS 1.2 at most, answering like Vault. It records
// every HTTP request that reaches it (method, path, whether a token came with it), so a
// test can prove the console sent it nothing. The test's instrument; loopback only.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SeenRequest {
  method: string;
  path: string;
  token: string | null;
}

export interface UntrustedServer {
  address: string;
  /** PEM of its self-signed certificate (a client that trusts it would talk to it). */
  certPem: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export async function startUntrustedServer(): Promise<UntrustedServer> {
  const dir = await mkdtemp(join(tmpdir(), 'vault-console-untrusted-'));
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { timeout: 60_000 });
  const [key, cert] = await Promise.all([readFile(join(dir, 'key.pem'), 'utf8'), readFile(join(dir, 'cert.pem'), 'utf8')]);
  await rm(dir, { recursive: true, force: true });
  const requests: SeenRequest[] = [];
  const server: Server = createServer({ key, cert, maxVersion: 'TLSv1.2', minVersion: 'TLSv1.2' }, (req, res) => {
    const token = req.headers['x-vault-token'];
    requests.push({ method: req.method ?? '', path: req.url ?? '', token: typeof token === 'string' ? token : null });
    req.resume();
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ data: { keys: ['t-000001/'] }, auth: { client_token: 'stolen' } }));
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    address: `https://127.0.0.1:${port}`,
    certPem: cert,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
