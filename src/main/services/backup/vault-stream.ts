// Streaming HTTP to Vault for the raft snapshot endpoints. VaultClient (node-vault
// over axios) buffers whole bodies; a snapshot can be gigabytes, so these two calls
// use node:http(s) with the same connection settings (address, CA, minimum TLS
// version, namespace) and the token of the client they are given.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { AppError } from '../../../shared/errors';
import type { VaultClient } from '../vault/vault-client';

export interface VaultStreamTarget {
  address: string;
  caCert?: string;
  minTlsVersion: 'TLSv1.2' | 'TLSv1.3';
  namespace?: string;
  token: string;
}

/** The stream target of an authenticated client; UNAUTHENTICATED when it has no token. */
export function streamTarget(client: VaultClient): VaultStreamTarget {
  const token = (client.raw as { token?: string }).token;
  if (!token) throw new AppError('UNAUTHENTICATED', 'A Vault token is needed for this action.');
  const c = client.connection;
  return { address: c.address, caCert: c.caCert, minTlsVersion: c.minTlsVersion, namespace: c.namespace, token };
}

function requestOptions(t: VaultStreamTarget, method: string, path: string): { mod: typeof http | typeof https; opts: https.RequestOptions } {
  const url = new URL(`${t.address}/v1/${path}`);
  const headers: Record<string, string> = { 'X-Vault-Token': t.token };
  if (t.namespace) headers['X-Vault-Namespace'] = t.namespace;
  const opts: https.RequestOptions = { method, hostname: url.hostname, port: url.port, path: url.pathname, headers };
  if (url.protocol === 'https:') {
    opts.minVersion = t.minTlsVersion;
    if (t.caCert) opts.ca = t.caCert;
    opts.rejectUnauthorized = true;
    return { mod: https, opts };
  }
  return { mod: http, opts };
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
  const code = (err as { code?: string }).code ?? '';
  if (/CERT|SSL|TLS|UNABLE_TO/i.test(code)) return new AppError('TLS_ERROR', `TLS connection to Vault refused (${action}): ${code}.`);
  return new AppError('VAULT_UNREACHABLE', `Vault is unreachable (${action}): ${code || 'connection failed'}.`);
}

/** GET a streaming body (the raft snapshot). Resolves once Vault answered 200. */
export function vaultGetStream(t: VaultStreamTarget, path: string): Promise<Readable> {
  const action = `GET ${path}`;
  return new Promise((resolve, reject) => {
    const { mod, opts } = requestOptions(t, 'GET', path);
    const req = mod.request(opts, (res) => {
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
    const { mod, opts } = requestOptions(t, 'POST', path);
    opts.headers = { ...opts.headers, 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' };
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(err);
    };
    const req = mod.request(opts, (res) => {
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
