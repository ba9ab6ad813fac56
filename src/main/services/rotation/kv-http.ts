// A lean HTTP path for the few KV v2 calls a rotation makes, next to node-vault.
// Why: in a bulk job Node and Vault share the same cores, and node-vault's axios stack
// costs ~0.3 ms of CPU per request (config merging, header normalisation, redirects)
// against ~0.1 ms for a plain node:http request; at two requests per rotation that is
// a quarter of what a rotation costs. Same security posture as VaultClient: the
// session's token (read per request, so a renewal or a new sign-in is picked up), the
// namespace header, the profile's CA bundle and minimum TLS version, certificates always
// verified, the per-request timeout. Where an HTTP(S) proxy is configured the calls go
// through node-vault as before (it honours the proxy settings). Errors go through
// mapVaultError like every other Vault call; messages name the path, never a value.
import http from 'node:http';
import https from 'node:https';
import { mapVaultError, type VaultClient } from '../vault/vault-client';

export type KvMethod = 'GET' | 'POST' | 'PATCH' | 'LIST';

interface Transport {
  base: URL;
  lib: typeof http | typeof https;
  agent: http.Agent;
}

// One keep-alive agent per VaultClient (a client lives as long as its session); idle
// sockets close after IDLE_MS, so an old session's sockets do not linger.
const IDLE_MS = 15_000;
const transports = new WeakMap<VaultClient, Transport>();

function transportOf(client: VaultClient): Transport {
  let t = transports.get(client);
  if (t) return t;
  const conn = client.connection;
  const base = new URL(conn.address.endsWith('/') ? conn.address : `${conn.address}/`);
  const secure = base.protocol === 'https:';
  const agent = secure
    ? new https.Agent({ keepAlive: true, maxSockets: 64, timeout: IDLE_MS, minVersion: conn.minTlsVersion, ...(conn.caCert ? { ca: conn.caCert } : {}), rejectUnauthorized: true })
    : new http.Agent({ keepAlive: true, maxSockets: 64, timeout: IDLE_MS });
  t = { base, lib: secure ? https : http, agent };
  transports.set(client, t);
  return t;
}

/** Shaped like node-vault's errors, so mapVaultError maps it the same way. */
class HttpStatusError extends Error {
  constructor(
    readonly response: { statusCode: number; body: { errors?: unknown[] } },
  ) {
    super(`status ${response.statusCode}`);
  }
}

/** node-vault (axios) honours HTTP(S)_PROXY; where one is set, keep using it so both paths reach Vault the same way. */
function proxyConfigured(): boolean {
  const e = process.env;
  return Boolean(e.HTTPS_PROXY || e.https_proxy || e.HTTP_PROXY || e.http_proxy);
}

async function viaNodeVault<T>(client: VaultClient, method: KvMethod, clean: string, body: unknown, headers: Record<string, string>): Promise<T> {
  const isList = method === 'LIST';
  try {
    return (await client.raw.request({
      path: `/${clean}${isList ? (clean.includes('?') ? '&list=true' : '?list=true') : ''}`,
      method: isList ? 'GET' : method,
      ...(body !== undefined ? { json: body } : {}),
      headers: { ...(method === 'PATCH' ? { 'Content-Type': 'application/merge-patch+json' } : {}), ...headers },
      timeout: client.connection.timeoutMs,
    })) as T;
  } catch (err) {
    throw mapVaultError(err, `${method} ${clean.split('?')[0]}`);
  }
}

/**
 * One request to `/v1/<path>` (path already encoded). LIST becomes GET ?list=true.
 * PATCH bodies are JSON merge patches. Resolves to the parsed JSON body (null for 204).
 */
export function kvRequest<T>(client: VaultClient, method: KvMethod, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  if (proxyConfigured()) return viaNodeVault<T>(client, method, path.replace(/^\/+/, ''), body, headers);
  const { base, lib, agent } = transportOf(client);
  const clean = path.replace(/^\/+/, '');
  const url = new URL(`v1/${clean}${method === 'LIST' ? (clean.includes('?') ? '&list=true' : '?list=true') : ''}`, base);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
  const token = client.raw.token as string | undefined;
  const namespace = client.connection.namespace;
  const action = `${method} ${clean.split('?')[0]}`;
  return new Promise<T>((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method: method === 'LIST' ? 'GET' : method,
        agent,
        headers: {
          Accept: 'application/json',
          ...(token ? { 'X-Vault-Token': token } : {}),
          ...(namespace ? { 'X-Vault-Namespace': namespace } : {}),
          ...(payload ? { 'Content-Type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json', 'Content-Length': String(payload.length) } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(mapVaultError(err, action)));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = chunks.length === 0 ? '' : Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = null;
          if (text !== '') {
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = null;
            }
          }
          if (status >= 200 && status < 300) resolve(parsed as T);
          else reject(mapVaultError(new HttpStatusError({ statusCode: status, body: (parsed as { errors?: unknown[] } | null) ?? {} }), action));
        });
      },
    );
    req.setTimeout(client.connection.timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (err) => reject(mapVaultError(err, action)));
    req.end(payload);
  });
}
