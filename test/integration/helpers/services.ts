// What integration tests use to reach the real services started by global-setup.ts.
import { S3Client } from '@aws-sdk/client-s3';
import nodeVault from 'node-vault';
import { inject } from 'vitest';
import { readState, STATE_ENV, type ServicesState } from '../../services/state';

export type { ServicesState } from '../../services/state';

/** Reads the state file written by global setup (env var first, then vitest's inject). */
export async function loadTestServices(): Promise<ServicesState> {
  let path = process.env[STATE_ENV];
  if (!path) {
    try {
      path = inject('servicesStatePath');
    } catch {
      // Not inside a vitest worker: fall back to readState's default path.
    }
  }
  return readState(path);
}

/** A node-vault client on the test server; the root token unless another is given. */
export function vaultClient(s: ServicesState, token: string = s.openbao.rootToken): ReturnType<typeof nodeVault> {
  return nodeVault({ apiVersion: 'v1', endpoint: s.openbao.addr, token });
}

export interface BaoResponse<T = unknown> {
  status: number;
  body: T;
}

/** Raw HTTP to OpenBao that never throws on status, for asserting on 403/503 and friends. */
export async function baoFetch<T = Record<string, unknown>>(
  s: ServicesState,
  method: string,
  path: string,
  opts: { token?: string | null; body?: unknown } = {},
): Promise<BaoResponse<T>> {
  const token = opts.token === undefined ? s.openbao.rootToken : opts.token;
  const headers: Record<string, string> = {};
  if (token) headers['X-Vault-Token'] = token;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${s.openbao.addr}/v1/${path}`, {
    method,
    headers,
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    // Non-JSON answers (sys/metrics in prometheus format) stay text.
  }
  return { status: res.status, body: body as T };
}

/** Logs in with userpass and returns the client token. */
export async function userpassLogin(s: ServicesState, username: string, password: string): Promise<string> {
  const r = await baoFetch<{ auth?: { client_token: string } }>(s, 'POST', `auth/userpass/login/${username}`, {
    token: null,
    body: { password },
  });
  if (r.status !== 200 || !r.body.auth) throw new Error(`userpass login for ${username} failed with ${r.status}`);
  return r.body.auth.client_token;
}

export function s3Client(s: ServicesState): S3Client {
  if (!s.s3) throw new Error('No S3 server in the test services state');
  return new S3Client({
    endpoint: s.s3.endpoint,
    region: s.s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s.s3.accessKeyId, secretAccessKey: s.s3.secretAccessKey },
  });
}
