// The one place that builds a node-vault client. Everything else asks this module
// for a VaultClient and gets AppErrors with a code instead of raw HTTP errors.
// node-vault gives the API shape only: its requests go through vault-transport.ts (the
// profile's CA, minimum TLS version and proxy tunnel), and nothing it would read from the
// environment (VAULT_TOKEN, VAULT_NAMESPACE, VAULT_ADDR, VAULT_PREFIX, VAULT_SKIP_VERIFY)
// is used: each client's token and namespace are exactly what its caller gave.
import nodeVault from 'node-vault';
import { AppError } from '../../../shared/errors';
import type { VaultConnection } from '../config/app-config';
import { createLogger } from '../log/logger';
import { createVaultTransport, sendVaultRequest, type VaultTransport } from './vault-transport';

export type RawVault = ReturnType<typeof nodeVault>;

export interface VaultClient {
  readonly connection: VaultConnection;
  readonly raw: RawVault;
  /** The sockets of this client: every request to Vault goes through it. */
  readonly transport: VaultTransport;
  /**
   * Generic call; path without the /v1 prefix, e.g. "sys/mounts". PATCH sends a JSON merge
   * patch (KV v2). opts.headers go on this request only (the console's audited action tag).
   */
  request<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'LIST', path: string, body?: unknown, opts?: { headers?: Record<string, string> }): Promise<T>;
  /** The token this client sends, if any. */
  token(): string | undefined;
  setToken(token: string | undefined): void;
  /** Extra headers on every request (for example the console's audited action header). */
  setHeaders(headers: Record<string, string>): void;
  /** The headers every request of this client carries (token, namespace, extra headers). */
  baseHeaders(): Record<string, string>;
  close(): void;
}

const log = createLogger('vault');
let skipVerifyWarned = false;

/** VAULT_SKIP_VERIFY is never honoured; say so once instead of ignoring it silently. */
export function warnIfSkipVerifySet(env: NodeJS.ProcessEnv = process.env): void {
  if (skipVerifyWarned || env.VAULT_SKIP_VERIFY === undefined) return;
  skipVerifyWarned = true;
  log.warn('VAULT_SKIP_VERIFY is set and ignored: Vault certificates are always verified (give the CA in the connection profile)');
}

interface RpOptions {
  method?: string;
  uri: string;
  headers?: Record<string, string>;
  json?: unknown;
}

export function createVaultClient(conn: VaultConnection, token?: string): VaultClient {
  warnIfSkipVerifySet();
  const transport = createVaultTransport(conn);
  let extraHeaders: Record<string, string> = {};
  // node-vault's pluggable request function: every call it makes comes here.
  const requestPromise = {
    defaults: () => async (options: RpOptions) => {
      const url = new URL(options.uri);
      const method = (options.method ?? 'GET').toUpperCase();
      try {
        const res = await sendVaultRequest(transport, {
          method,
          url,
          headers: { ...(options.headers ?? {}) },
          ...(options.json !== undefined && typeof options.json === 'object' ? { json: options.json } : {}),
          timeoutMs: conn.timeoutMs,
        });
        return { statusCode: res.statusCode, body: res.body, request: { path: url.pathname } };
      } catch (err) {
        throw mapVaultError(err, `${method} ${url.pathname.replace(/^\/v1\//, '')}`);
      }
    },
  };
  const raw = nodeVault({
    apiVersion: 'v1',
    endpoint: conn.address,
    // node-vault's own debug hook prints request bodies (secrets); never let it.
    debug: () => undefined,
    'request-promise': requestPromise,
  } as Parameters<typeof nodeVault>[0]);
  // node-vault falls back to process.env for these when a value is falsy: set them after.
  raw.endpoint = conn.address.replace(/\/$/, '');
  (raw as { pathPrefix?: string }).pathPrefix = '';
  raw.token = token as string;
  (raw as { namespace?: string }).namespace = conn.namespace as string;

  const baseHeaders = (): Record<string, string> => {
    const t = raw.token as string | undefined;
    return { ...(t ? { 'X-Vault-Token': t } : {}), ...(conn.namespace ? { 'X-Vault-Namespace': conn.namespace } : {}), ...extraHeaders };
  };

  const request = async <T>(method: string, path: string, body?: unknown, opts: { headers?: Record<string, string> } = {}): Promise<T> => {
    const useList = method === 'LIST';
    const cleanPath = path.replace(/^\/+/, '');
    const action = `${method} ${cleanPath.split('?')[0]}`;
    try {
      const res = await sendVaultRequest(transport, {
        method: useList ? 'GET' : method,
        url: new URL(`v1/${cleanPath}${useList ? (cleanPath.includes('?') ? '&list=true' : '?list=true') : ''}`, `${raw.endpoint}/`),
        headers: { ...(method === 'PATCH' ? { 'Content-Type': 'application/merge-patch+json' } : {}), ...baseHeaders(), ...opts.headers },
        ...(body !== undefined ? { json: body } : {}),
        timeoutMs: conn.timeoutMs,
      });
      if (res.statusCode >= 200 && res.statusCode < 300) return res.body as T;
      // sys/health answers its states with 429/472/473/501/503 and a body: not errors.
      if (/^sys\/health(\?|$)/.test(cleanPath) && res.body && typeof res.body === 'object') return res.body as T;
      throw new VaultHttpError(res.statusCode, res.body);
    } catch (err) {
      throw mapVaultError(err, action);
    }
  };

  const client: VaultClient = {
    connection: conn,
    raw,
    transport,
    request,
    token: () => (raw.token as string | undefined) || undefined,
    setToken(next) {
      raw.token = next as string;
    },
    setHeaders(headers) {
      extraHeaders = { ...headers };
    },
    baseHeaders,
    close() {
      transport.close();
    },
  };
  return client;
}

/** An HTTP status from Vault, shaped like node-vault's errors so mapVaultError reads both. */
export class VaultHttpError extends Error {
  readonly response: { statusCode: number; body: { errors?: unknown[] } };
  constructor(statusCode: number, body: unknown) {
    super(`status ${statusCode}`);
    this.response = { statusCode, body: body && typeof body === 'object' ? (body as { errors?: unknown[] }) : {} };
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'EPIPE']);

export const TOKEN_REJECTED = 'the token is invalid, expired or revoked';

/**
 * Vault refused the token itself (not a missing permission): every valid token may look
 * itself up, renew and revoke itself under Vault's default policy, so a 401/403 there
 * means the token is no longer valid.
 */
export class TokenRejectedError extends AppError {
  constructor(action: string) {
    super('UNAUTHENTICATED', `Vault rejected the session: ${TOKEN_REJECTED} (${action}).`);
    this.name = 'TokenRejectedError';
  }
}

const SELF_PATHS = /^(GET|POST|PUT) auth\/token\/(lookup-self|renew-self)$/;

/** Map anything a Vault request throws to an AppError with a one-line, value-free message. */
export function mapVaultError(err: unknown, action: string): AppError {
  if (err instanceof AppError) return err;
  const e = err as { code?: string; message?: string; response?: { statusCode?: number; body?: { errors?: unknown[] } } };
  const status = e?.response?.statusCode;
  if (typeof status === 'number') {
    const first = e.response?.body?.errors?.[0];
    const detail = typeof first === 'string' ? first.split('\n')[0]!.slice(0, 200) : `status ${status}`;
    if (status === 503 && /sealed/i.test(detail)) return new AppError('VAULT_SEALED', `Vault is sealed (${action}).`);
    if (status === 503) return new AppError('VAULT_UNREACHABLE', `Vault is unavailable (${action}): ${detail}`);
    if ((status === 403 || status === 401) && SELF_PATHS.test(action)) return new TokenRejectedError(action);
    if (status === 403) return new AppError('PERMISSION_DENIED', `Permission denied (${action}).`);
    if (status === 401) return new AppError('UNAUTHENTICATED', `Not authenticated (${action}).`);
    if (status === 404) return new AppError('NOT_FOUND', `Not found (${action}).`);
    if (status === 400 && /check-and-set|cas/i.test(detail)) return new AppError('CONFLICT', `Changed by someone else (${action}): ${detail}`);
    return new AppError('VAULT_ERROR', `Vault answered ${status} (${action}): ${detail}`);
  }
  const code = e?.code ?? '';
  if (code === 'EPROXY') return new AppError('VAULT_UNREACHABLE', `Vault is unreachable through the proxy (${action}): ${oneLineOf(e?.message)}.`);
  if (NETWORK_CODES.has(code) || /timeout/i.test(e?.message ?? '')) {
    return new AppError('VAULT_UNREACHABLE', `Vault is unreachable (${action}): ${code || 'timeout'}.`);
  }
  if (/CERT|SSL|TLS|self[- ]signed|unable to verify|UNABLE_TO|ERR_TLS/i.test(`${code} ${e?.message ?? ''}`)) {
    return new AppError('TLS_ERROR', `TLS connection to Vault refused (${action}): ${code || 'certificate not trusted'}.`);
  }
  return new AppError('VAULT_ERROR', `Vault request failed (${action}).`, { cause: err });
}

function oneLineOf(text: string | undefined): string {
  return (text ?? 'proxy error').split('\n')[0]!.slice(0, 200);
}
