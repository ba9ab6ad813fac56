// Streaming HTTP to Vault for the raft snapshot endpoints. VaultClient.request buffers
// whole bodies; a snapshot can be gigabytes, so these two calls stream, through the
// client's own transport (vault/vault-transport.ts: the profile's CA, minimum TLS
// version, proxy tunnel) with its token and namespace.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { AppError } from '../../../shared/errors';
import { mapVaultError, type VaultClient } from '../vault/vault-client';
import type { VaultTransport } from '../vault/vault-transport';

export interface VaultStreamTarget {
  address: string;
  namespace?: string;
  token: string;
  transport: VaultTransport;
}

/** The stream target of an authenticated client; UNAUTHENTICATED when it has no token. */
export function streamTarget(client: VaultClient): VaultStreamTarget {
  const token = client.token();
  if (!token) throw new AppError('UNAUTHENTICATED', 'A Vault token is needed for this action.');
  const c = client.connection;
  return { address: c.address, namespace: c.namespace, token, transport: client.transport };
}

function start(t: VaultStreamTarget, method: string, path: string, extra: Record<string, string>, onResponse: (res: IncomingMessage) => void) {
  const headers: Record<string, string> = { 'X-Vault-Token': t.token, ...extra };
  if (t.namespace) headers['X-Vault-Namespace'] = t.namespace;
  return t.transport.request(new URL(`v1/${path}`, `${t.address}/`), { method, headers }, onResponse);
}

async function errorFrom(res: IncomingMessage, action: string): Promise<AppError> {
  let text = '';
  for await (const c of res) {
    if (text.length < 4096) text += (c as Buffer).toString('utf8');
  }
  let detail = `status ${res.statusCode}`;
  try {
    const first = (JSON.parse(text) as { errors?: unknown[] }).errors?.[0];
    if (typeof first === 'string') detail = first.split('\n')[0]!.slice(0, 200);
  } catch {
    // Not JSON: keep the status.
  }
  const s = res.statusCode ?? 0;
  if (s === 403) return new AppError('PERMISSION_DENIED', `Permission denied (${action}).`);
  if (s === 401) return new AppError('UNAUTHENTICATED', `Not authenticated (${action}).`);
  if (s === 503 && /sealed/i.test(detail)) return new AppError('VAULT_SEALED', `Vault is sealed (${action}).`);
  return new AppError('VAULT_ERROR', `Vault answered ${s} (${action}): ${detail}`);
}

function networkError(err: unknown, action: string): AppError {
  return mapVaultError(err, action);
}

/** GET a streaming body (the raft snapshot). Resolves once Vault answered 200. */
export function vaultGetStream(t: VaultStreamTarget, path: string): Promise<Readable> {
  const action = `GET ${path}`;
  return new Promise((resolve, reject) => {
    const req = start(t, 'GET', path, {}, (res) => {
      if (res.statusCode !== 200) {
        errorFrom(res, action).then(reject, reject);
        return;
      }
      resolve(res);
    });
    req.on('error', (err) => reject(networkError(err, action)));
    req.end();
  });
}

/** POST a streaming body (a raft snapshot restore). */
export function vaultPostStream(t: VaultStreamTarget, path: string, body: Readable): Promise<void> {
  const action = `POST ${path}`;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(err);
    };
    const req = start(t, 'POST', path, { 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' }, (res) => {
      if (res.statusCode !== 200 && res.statusCode !== 204) {
        errorFrom(res, action).then(fail, fail);
        return;
      }
      res.resume();
      res.on('end', () => {
        if (!settled) {
          settled = true;
          resolve();
        }
      });
    });
    req.on('error', (err) => fail(networkError(err, action)));
    body.on('error', (err) => fail(err));
    body.pipe(req);
  });
}
