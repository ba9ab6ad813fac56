// Minimal HTTP client for configuring the test server. Errors name the method, path
// and status and quote OpenBao's error list, never a request body (it may hold a key).

export class OpenBaoHttpError extends Error {
  constructor(
    readonly status: number,
    readonly path: string,
    readonly errors: string[],
  ) {
    super(`OpenBao ${path} answered ${status}: ${errors.join('; ') || 'no error text'}`);
    this.name = 'OpenBaoHttpError';
  }
}

export async function baoRequest<T = unknown>(
  addr: string,
  method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'LIST',
  path: string,
  opts: { token?: string; body?: unknown; okStatuses?: number[] } = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (opts.token) headers['X-Vault-Token'] = opts.token;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${addr}/v1/${path}`, {
    method,
    headers,
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  const ok = res.ok || (opts.okStatuses ?? []).includes(res.status);
  if (!ok) {
    let errors: string[] = [];
    try {
      errors = (JSON.parse(text) as { errors?: string[] }).errors ?? [];
    } catch {
      errors = [text.slice(0, 200)];
    }
    throw new OpenBaoHttpError(res.status, `${method} ${path}`, errors);
  }
  return (text ? JSON.parse(text) : {}) as T;
}

export interface HealthResponse {
  initialized: boolean;
  sealed: boolean;
  standby: boolean;
  version: string;
}

/** sys/health without throwing on its informative non-200 statuses (sealed, standby...). */
export async function health(addr: string): Promise<HealthResponse & { status: number }> {
  const res = await fetch(`${addr}/v1/sys/health`, { signal: AbortSignal.timeout(5_000) });
  return { ...((await res.json()) as HealthResponse), status: res.status };
}
