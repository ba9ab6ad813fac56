// The one place that builds a node-vault client. Everything else asks this module
// for a VaultClient and gets AppErrors with a code instead of raw axios errors.
import http from 'node:http';
import https from 'node:https';
import nodeVault from 'node-vault';
import { AppError } from '../../../shared/errors';
import type { VaultConnection } from '../config/app-config';

export type RawVault = ReturnType<typeof nodeVault>;

export interface VaultClient {
  readonly connection: VaultConnection;
  readonly raw: RawVault;
  /**
   * Generic call; path without the /v1 prefix, e.g. "sys/mounts". PATCH sends a JSON merge
   * patch (KV v2). opts.headers go on this request only (the console's audited action tag).
   */
  request<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'LIST', path: string, body?: unknown, opts?: { headers?: Record<string, string> }): Promise<T>;
  setToken(token: string | undefined): void;
  /** Extra headers on every request (for example the console's audited action header). */
  setHeaders(headers: Record<string, string>): void;
  close(): void;
}

export function createVaultClient(conn: VaultConnection, token?: string): VaultClient {
  const keepAlive = { keepAlive: true, maxSockets: 64 };
  const httpAgent = new http.Agent(keepAlive);
  const httpsAgent = new https.Agent({
    ...keepAlive,
    minVersion: conn.minTlsVersion,
    ...(conn.caCert ? { ca: conn.caCert } : {}),
    rejectUnauthorized: true,
  });
  let extraHeaders: Record<string, string> = {};
  const raw = nodeVault({
    apiVersion: 'v1',
    endpoint: conn.address,
    token,
    namespace: conn.namespace,
    // node-vault's own debug hook prints request bodies (secrets); never let it.
    debug: () => undefined,
    requestOptions: { httpAgent, httpsAgent, timeout: conn.timeoutMs },
  });

  const request = async <T>(method: string, path: string, body?: unknown, opts: { headers?: Record<string, string> } = {}): Promise<T> => {
    const useList = method === 'LIST';
    const cleanPath = path.replace(/^\/+/, '');
    try {
      return (await raw.request({
        path: `/${cleanPath}${useList ? (cleanPath.includes('?') ? '&list=true' : '?list=true') : ''}`,
        method: useList ? 'GET' : method,
        ...(body !== undefined ? { json: body } : {}),
        headers: { ...(method === 'PATCH' ? { 'Content-Type': 'application/merge-patch+json' } : {}), ...extraHeaders, ...opts.headers },
        httpAgent,
        httpsAgent,
        timeout: client.connection.timeoutMs,
      })) as T;
    } catch (err) {
      throw mapVaultError(err, `${method} ${cleanPath.split('?')[0]}`);
    }
  };

  const client: VaultClient = {
    connection: conn,
    raw,
    request,
    setToken(next) {
      raw.token = next as string;
    },
    setHeaders(headers) {
      extraHeaders = { ...headers };
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
  return client;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'EPIPE']);

/** Map anything node-vault or axios throws to an AppError with a one-line, value-free message. */
export function mapVaultError(err: unknown, action: string): AppError {
  if (err instanceof AppError) return err;
  const e = err as { code?: string; message?: string; response?: { statusCode?: number; body?: { errors?: unknown[] } } };
  const status = e?.response?.statusCode;
  if (typeof status === 'number') {
    const first = e.response?.body?.errors?.[0];
    const detail = typeof first === 'string' ? first.split('\n')[0]!.slice(0, 200) : `status ${status}`;
    if (status === 503 && /sealed/i.test(detail)) return new AppError('VAULT_SEALED', `Vault is sealed (${action}).`);
    if (status === 503) return new AppError('VAULT_UNREACHABLE', `Vault is unavailable (${action}): ${detail}`);
    if (status === 403) return new AppError('PERMISSION_DENIED', `Permission denied (${action}).`);
    if (status === 401) return new AppError('UNAUTHENTICATED', `Not authenticated (${action}).`);
    if (status === 404) return new AppError('NOT_FOUND', `Not found (${action}).`);
    if (status === 400 && /check-and-set|cas/i.test(detail)) return new AppError('CONFLICT', `Changed by someone else (${action}): ${detail}`);
    return new AppError('VAULT_ERROR', `Vault answered ${status} (${action}): ${detail}`);
  }
  const code = e?.code ?? '';
  if (NETWORK_CODES.has(code) || /timeout/i.test(e?.message ?? '')) {
    return new AppError('VAULT_UNREACHABLE', `Vault is unreachable (${action}): ${code || 'timeout'}.`);
  }
  if (/CERT|SSL|TLS|self[- ]signed|unable to verify|UNABLE_TO|ERR_TLS/i.test(`${code} ${e?.message ?? ''}`)) {
    return new AppError('TLS_ERROR', `TLS connection to Vault refused (${action}): ${code || 'certificate not trusted'}.`);
  }
  return new AppError('VAULT_ERROR', `Vault request failed (${action}).`, { cause: err });
}
