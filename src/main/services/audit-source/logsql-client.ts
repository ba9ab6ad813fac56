// HTTP to VictoriaLogs: LogsQL queries streamed back as JSON lines, field values, and
// JSON-lines ingestion. Every way an answer can fail to be whole is an error with its
// own state (never a short result presented as the whole): the server down, slow past
// the timeout, refusing the credentials, failing, or cutting the answer off mid-stream.
import http from 'node:http';
import https from 'node:https';
import { AppError } from '../../../shared/errors';

export type SourceState = 'ok' | 'unreachable' | 'timeout' | 'unauthorized' | 'partial' | 'failed' | 'bad-query';

/** A failed request to the audit source: a state for the view, a message safe to show. */
export class SourceError extends AppError {
  constructor(readonly state: Exclude<SourceState, 'ok'>, message: string) {
    super(state === 'unauthorized' ? 'PERMISSION_DENIED' : state === 'bad-query' ? 'BAD_INPUT' : 'SOURCE_UNAVAILABLE', message);
  }
}

export interface LogsqlClientOptions {
  /** http(s)://host:port[/prefix] */
  url: string;
  /** PEM of the CA that signed the server's certificate (else the system's). */
  caPem?: string | null;
  /** The auth header, read from the keychain per request (never cached in this object's fields). */
  authHeader: () => Promise<Record<string, string>>;
  /** Whole-request deadline. */
  timeoutMs: number;
  /** An answer bigger than this is refused (bounded memory; default 256 MiB). */
  maxBytes?: number;
  /** Searches sent at once (default 2); more wait their turn in the console. */
  maxConcurrent?: number;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

/** http:// only to loopback (a token must never cross a network in clear); https elsewhere. */
export function checkSourceUrl(raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new AppError('BAD_INPUT', 'The VictoriaLogs URL is not a URL (https://logs.example:9428).');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new AppError('BAD_INPUT', 'The VictoriaLogs URL must be https:// (http:// only on this machine).');
  if (u.protocol === 'http:' && !LOOPBACK.has(u.hostname)) throw new AppError('BAD_INPUT', 'Plain http:// is allowed only to this machine (127.0.0.1, ::1); use https:// for a VictoriaLogs elsewhere.');
  if (u.username || u.password) throw new AppError('BAD_INPUT', 'Put credentials in the auth setting (kept in the keychain), not in the URL.');
  if (u.search || u.hash) throw new AppError('BAD_INPUT', 'The VictoriaLogs URL takes no query or fragment.');
  return u;
}

function describe(u: URL): string {
  return `VictoriaLogs at ${u.host}`;
}

export class LogsqlClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  /** Searches waiting for a slot (FIFO), and how many run now. */
  private readonly waiting: Array<() => void> = [];
  private running = 0;

  constructor(private readonly opts: LogsqlClientOptions) {
    this.base = checkSourceUrl(opts.url);
    this.agent = this.base.protocol === 'https:' ? new https.Agent({ keepAlive: true, ...(opts.caPem ? { ca: opts.caPem } : {}), minVersion: 'TLSv1.2' }) : new http.Agent({ keepAlive: true });
  }

  get host(): string {
    return this.base.host;
  }

  close(): void {
    this.agent.destroy();
  }

  private endpoint(path: string): URL {
    const [p, search] = path.split('?', 2) as [string, string | undefined];
    const u = new URL(this.base.href);
    u.pathname = `${u.pathname.replace(/\/+$/, '')}${p}`;
    if (search) u.search = search;
    return u;
  }

  /**
   * The auth header, within the request's own time: a keychain that never answers (a locked
   * Secret Service waiting on a prompt) is a timeout, not a search slot held for ever.
   */
  private async credentials(what: string, timeoutMs: number): Promise<Record<string, string>> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SourceError('timeout', `The keychain did not give the credentials for ${what} within ${Math.round(timeoutMs / 100) / 10} s; nothing was asked.`)), timeoutMs);
    });
    try {
      return await Promise.race([this.opts.authHeader(), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * One request; the body is handed to onData chunk by chunk and the answer counts only
   * when the server ended it properly (a cut connection is a partial answer).
   */
  private async request(method: 'GET' | 'POST', path: string, body: string | Buffer | null, contentType: string | null, onData: (chunk: Buffer) => void, timeoutMs = this.opts.timeoutMs): Promise<void> {
    const url = this.endpoint(path);
    const what = describe(this.base);
    // One deadline for the whole request: the keychain's time counts toward it.
    const deadline = Date.now() + timeoutMs;
    const headers: Record<string, string> = { ...(await this.credentials(what, timeoutMs)), accept: 'application/json' };
    if (contentType) headers['content-type'] = contentType;
    if (body !== null) headers['content-length'] = String(Buffer.byteLength(body));
    const mod = url.protocol === 'https:' ? https : http;
    const maxBytes = this.opts.maxBytes ?? 256 * 1024 * 1024;
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      let req: http.ClientRequest | undefined;
      const fail = (e: SourceError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req?.destroy();
        reject(e);
      };
      const timer = setTimeout(() => fail(new SourceError('timeout', `${what} did not answer within ${Math.round(timeoutMs / 100) / 10} s; nothing is shown rather than a part.`)), Math.max(0, deadline - Date.now()));
      try {
        req = mod.request(url, { method, headers, agent: this.agent }, (res) => {
          const status = res.statusCode ?? 0;
          if (status === 401 || status === 403) {
            res.resume();
            return fail(new SourceError('unauthorized', `${what} refused the credentials (HTTP ${status}); check the audit source's auth setting.`));
          }
          if (status < 200 || status >= 300) {
            const parts: Buffer[] = [];
            let n = 0;
            res.on('data', (c: Buffer) => {
              if (n < 2048) parts.push(c);
              n += c.length;
            });
            res.on('end', () => {
              // VictoriaLogs' error text names the query problem; no secret is in it (the token is never echoed).
              const text = Buffer.concat(parts).toString('utf8').replace(/\s+/g, ' ').slice(0, 300);
              fail(status === 400 ? new SourceError('bad-query', `${what} rejected the query: ${text}`) : new SourceError('failed', `${what} failed (HTTP ${status}): ${text}`));
            });
            res.on('error', () => fail(new SourceError('failed', `${what} failed (HTTP ${status}).`)));
            return;
          }
          let bytes = 0;
          res.on('data', (c: Buffer) => {
            if (settled) return;
            bytes += c.length;
            if (bytes > maxBytes) return fail(new SourceError('partial', `${what} sent more than ${maxBytes >> 20} MiB for one answer; narrow the filter.`));
            try {
              onData(c);
            } catch (err) {
              fail(err instanceof SourceError ? err : new SourceError('partial', `${what} sent an answer that is not JSON lines.`));
            }
          });
          res.on('end', () => {
            if (settled) return;
            if (!res.complete) return fail(new SourceError('partial', `${what} cut its answer short; nothing is shown rather than a part.`));
            settled = true;
            clearTimeout(timer);
            resolve();
          });
          res.on('aborted', () => fail(new SourceError('partial', `${what} cut its answer short; nothing is shown rather than a part.`)));
          res.on('error', () => fail(new SourceError('partial', `${what} cut its answer short; nothing is shown rather than a part.`)));
          res.on('close', () => {
            if (!settled && !res.complete) fail(new SourceError('partial', `${what} cut its answer short; nothing is shown rather than a part.`));
          });
        });
      } catch (err) {
        // A header Node refuses (a credential with a line break or a character above U+00FF):
        // said by its code only, the value is never quoted.
        const code = (err as NodeJS.ErrnoException).code ?? 'error';
        return fail(new SourceError('failed', `${what}: the request could not be made (${code}); check the audit source's auth setting.`));
      }
      req.on('error', (err: NodeJS.ErrnoException) => {
        const code = err.code ?? '';
        if (/^(ERR_TLS|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_)/.test(code)) return fail(new SourceError('unreachable', `${what}: TLS failed (${code}); check the CA setting.`));
        fail(new SourceError('unreachable', `${what} is not reachable (${code || 'connection failed'}).`));
      });
      if (body !== null) req.end(body);
      else req.end();
    });
  }

  /**
   * Runs a search when one of maxConcurrent slots is free. VictoriaLogs runs a few searches
   * at once and queues the rest for 10 s, then refuses them (HTTP 503): a view refresh and
   * the alert detectors together ask more than that, so the console queues its own and
   * each search's timeout starts when it is sent.
   */
  private async slot<T>(work: () => Promise<T>): Promise<T> {
    const max = this.opts.maxConcurrent ?? 2;
    // A freed slot is handed to the next waiter as it is, never taken back in between.
    if (this.running >= max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** A LogsQL query; every JSON line of the answer, in order. */
  query(q: string, opts: { timeoutMs?: number } = {}): Promise<Record<string, unknown>[]> {
    return this.slot(() => this.runQuery(q, opts));
  }

  private async runQuery(q: string, opts: { timeoutMs?: number }): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    let rest = '';
    const decoder = new TextDecoder('utf-8');
    const take = (line: string) => {
      if (line.trim() === '') return;
      rows.push(JSON.parse(line) as Record<string, unknown>);
    };
    await this.request('POST', '/select/logsql/query', new URLSearchParams({ query: q }).toString(), 'application/x-www-form-urlencoded', (chunk) => {
      const text = rest + decoder.decode(chunk, { stream: true });
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) take(l);
    }, opts.timeoutMs);
    rest += decoder.decode();
    // Every line ends with a newline: text after the last one was cut off.
    if (rest.trim() !== '') throw new SourceError('partial', `${describe(this.base)} cut its answer short; nothing is shown rather than a part.`);
    return rows;
  }

  /** Distinct values of one field over the events the query selects (at most limit). */
  async fieldValues(q: string, field: string, limit: number): Promise<string[]> {
    const parts: Buffer[] = [];
    await this.slot(() => this.request('POST', '/select/logsql/field_values', new URLSearchParams({ query: q, field, limit: String(limit) }).toString(), 'application/x-www-form-urlencoded', (c) => parts.push(c)));
    const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { values?: { value?: unknown }[] };
    return (body.values ?? []).map((v) => (typeof v.value === 'string' ? v.value : '')).filter((v) => v !== '');
  }

  /** JSON lines into /insert/jsonline; resolves once VictoriaLogs accepted them. */
  async ingest(lines: string, params: Record<string, string>): Promise<void> {
    const qs = new URLSearchParams(params).toString();
    await this.request('POST', `/insert/jsonline?${qs}`, lines, 'application/stream+json', () => undefined);
  }

  /** The server answers and takes these credentials. */
  async ping(): Promise<void> {
    await this.query('* | limit 1', { timeoutMs: Math.min(this.opts.timeoutMs, 10_000) });
  }
}
