// The one road to a Vault server. Every request of a VaultClient (node-vault's calls,
// rotation's lean KV path, the snapshot streams) leaves through the agents built here
// from the profile: its CA bundle, its minimum TLS version, certificates always verified.
// Nothing here reads VAULT_SKIP_VERIFY (a security tool never skips verification), and
// nothing else may open a socket to Vault: node-vault's own HTTP stack (axios, which has
// its own proxy and TLS rules) is never used.
//
// Proxies: HTTPS_PROXY (https addresses) / HTTP_PROXY (http addresses) and NO_PROXY are
// honoured like curl and the Vault CLI do, always through a CONNECT tunnel, so TLS runs
// end to end between this process and Vault with the profile's settings: the proxy sees
// neither the token nor a request, and a proxy that swaps in its own certificate is
// refused like any other unknown certificate.
import http from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { VaultConnection } from '../config/app-config';

// Idle keep-alive sockets close after this, so an old session's sockets do not linger.
const IDLE_MS = 15_000;
const MAX_SOCKETS = 64;

export interface VaultTransport {
  readonly connection: VaultConnection;
  /** The proxy in use for this connection's address (credentials removed), or null. */
  readonly proxy: string | null;
  /** A node:http(s) request through the profile's agent. `url` must be http(s). */
  request(url: URL, options: http.RequestOptions, onResponse?: (res: http.IncomingMessage) => void): http.ClientRequest;
  /** Destroys every socket; the transport must not be used afterwards. */
  close(): void;
}

/** The TLS options every connection to this Vault uses; never anything looser. */
function originTls(conn: VaultConnection): tls.ConnectionOptions {
  return {
    minVersion: conn.minTlsVersion,
    ...(conn.caCert ? { ca: conn.caCert } : {}),
    rejectUnauthorized: true,
  };
}

/**
 * The proxy for `target` from the environment, as curl and proxy-from-env read it:
 * NO_PROXY ("*", hosts, ".domains", "host:port") wins; then https_proxy / HTTPS_PROXY for
 * https targets, http_proxy / HTTP_PROXY for http targets.
 */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv): URL | null {
  const pick = (name: string) => env[name.toLowerCase()] || env[name.toUpperCase()] || '';
  const raw = target.protocol === 'https:' ? pick('https_proxy') : pick('http_proxy');
  if (!raw) return null;
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  const noProxy = pick('no_proxy');
  for (const entry of noProxy.split(/[\s,]+/).filter(Boolean)) {
    if (entry === '*') return null;
    const m = /^(.*?)(?::(\d+))?$/.exec(entry.toLowerCase())!;
    const name = m[1]!.replace(/^\*/, '').replace(/^\[|\]$/g, '');
    if (m[2] && m[2] !== port) continue;
    if (name.startsWith('.') ? host.endsWith(name) || host === name.slice(1) : host === name) return null;
  }
  let proxy: URL;
  try {
    proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw Object.assign(new Error('the proxy variable is not a URL'), { code: 'EPROXY' });
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw Object.assign(new Error(`unsupported proxy scheme ${proxy.protocol.replace(':', '')}`), { code: 'EPROXY' });
  }
  return proxy;
}

/** A raw TCP stream to host:port through the proxy's CONNECT method. */
function openTunnel(proxy: URL, host: string, port: number, timeoutMs: number): Promise<Socket> {
  const authority = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  const headers: Record<string, string> = { Host: authority };
  if (proxy.username || proxy.password) {
    headers['Proxy-Authorization'] = `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`;
  }
  const lib = proxy.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request({
      host: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: authority,
      headers,
      agent: false,
      timeout: timeoutMs,
    });
    req.once('connect', (res, socket, head) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(Object.assign(new Error(`the proxy refused the tunnel (status ${res.statusCode})`), { code: 'EPROXY' }));
        return;
      }
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.once('response', (res) => {
      res.resume();
      reject(Object.assign(new Error(`the proxy refused the tunnel (status ${res.statusCode})`), { code: 'EPROXY' }));
    });
    req.once('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.once('error', reject);
    req.end();
  });
}

type ConnectCallback = (err: Error | null, stream: Duplex) => void;

/** https through a CONNECT tunnel; TLS with the profile's settings runs inside it. */
class TunnelHttpsAgent extends https.Agent {
  constructor(
    private readonly proxyUrl: URL,
    private readonly conn: VaultConnection,
  ) {
    super({ keepAlive: true, maxSockets: MAX_SOCKETS, timeout: IDLE_MS, ...originTls(conn) });
  }

  override createConnection(options: https.RequestOptions, callback?: ConnectCallback): Duplex | null | undefined {
    const host = String(options.host ?? options.hostname ?? 'localhost').replace(/^\[|\]$/g, '');
    const port = Number(options.port) || 443;
    openTunnel(this.proxyUrl, host, port, this.conn.timeoutMs).then(
      (socket) => {
        const secured = tls.connect({
          ...originTls(this.conn),
          socket,
          host,
          // SNI carries names, never IP addresses; the certificate check uses `host` either way.
          ...(isIP(host) ? {} : { servername: host }),
          ALPNProtocols: ['http/1.1'],
        });
        callback?.(null, secured);
      },
      (err: Error) => callback?.(err, undefined as unknown as Duplex),
    );
    return undefined;
  }
}

/** Plain http (loopback profiles) through a CONNECT tunnel, like https, for one code path. */
class TunnelHttpAgent extends http.Agent {
  constructor(
    private readonly proxyUrl: URL,
    private readonly timeoutMs: number,
  ) {
    super({ keepAlive: true, maxSockets: MAX_SOCKETS, timeout: IDLE_MS });
  }

  override createConnection(options: http.ClientRequestArgs, callback?: ConnectCallback): Duplex | null | undefined {
    const host = String(options.host ?? options.hostname ?? 'localhost').replace(/^\[|\]$/g, '');
    openTunnel(this.proxyUrl, host, Number(options.port) || 80, this.timeoutMs).then(
      (socket) => callback?.(null, socket),
      (err: Error) => callback?.(err, undefined as unknown as Duplex),
    );
    return undefined;
  }
}

/** Builds the agents of one connection; the environment is read once, here. */
export function createVaultTransport(conn: VaultConnection, env: NodeJS.ProcessEnv = process.env): VaultTransport {
  const address = new URL(conn.address);
  let proxyUrl: URL | null = null;
  let proxyError: Error | null = null;
  try {
    proxyUrl = proxyFor(address, env);
  } catch (err) {
    // Reported on the first request, as a connection error with the reason.
    proxyError = err as Error;
  }
  const httpsAgent = proxyUrl && address.protocol === 'https:' ? new TunnelHttpsAgent(proxyUrl, conn) : new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS, timeout: IDLE_MS, ...originTls(conn) });
  const httpAgent = proxyUrl && address.protocol === 'http:' ? new TunnelHttpAgent(proxyUrl, conn.timeoutMs) : new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS, timeout: IDLE_MS });
  let closed = false;
  return {
    connection: conn,
    proxy: proxyUrl ? `${proxyUrl.protocol}//${proxyUrl.host}` : null,
    request(url, options, onResponse) {
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw Object.assign(new Error(`refusing a ${url.protocol} URL`), { code: 'EPROTO' });
      const secure = url.protocol === 'https:';
      const req = (secure ? https : http).request(url, { ...options, agent: secure ? httpsAgent : httpAgent }, onResponse);
      if (proxyError || closed) {
        const err = proxyError ?? Object.assign(new Error('the Vault client was closed'), { code: 'ECONNABORTED' });
        process.nextTick(() => req.destroy(err));
      }
      return req;
    },
    close() {
      closed = true;
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

export interface VaultHttpResponse {
  statusCode: number;
  /** Parsed JSON, or the text when the body is not JSON ('' when empty). */
  body: unknown;
}

export interface VaultHttpRequest {
  method: string;
  /** Absolute URL of the request. */
  url: URL;
  headers: Record<string, string>;
  /** A JSON body (serialised here), or none. */
  json?: unknown;
  timeoutMs: number;
}

const MAX_REDIRECTS = 3;

/**
 * One request with a buffered JSON/text answer; never rejects on an HTTP status. Vault
 * answers 307 from a standby that does not forward: followed (same method and body) only
 * to an https address, whose certificate the profile's trust must accept, or to the same
 * origin, so the token never goes anywhere the profile would not send it.
 */
export async function sendVaultRequest(transport: VaultTransport, req: VaultHttpRequest): Promise<VaultHttpResponse> {
  let url = req.url;
  for (let hop = 0; ; hop++) {
    const res = await sendOnce(transport, { ...req, url });
    const location = res.location;
    if ((res.statusCode === 307 || res.statusCode === 308) && location && hop < MAX_REDIRECTS) {
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return res;
      }
      if (next.protocol === 'https:' || next.origin === url.origin) {
        url = next;
        continue;
      }
    }
    return { statusCode: res.statusCode, body: res.body };
  }
}

function sendOnce(transport: VaultTransport, req: VaultHttpRequest): Promise<VaultHttpResponse & { location?: string }> {
  const payload = req.json === undefined ? undefined : Buffer.from(JSON.stringify(req.json), 'utf8');
  const headers: Record<string, string> = { Accept: 'application/json', ...req.headers };
  if (payload) {
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = String(payload.length);
  }
  return new Promise((resolve, reject) => {
    const r = transport.request(req.url, { method: req.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = chunks.length === 0 ? '' : Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        if (text !== '') {
          try {
            body = JSON.parse(text);
          } catch {
            // Not JSON (sys/metrics in prometheus format): the text itself.
          }
        }
        const location = typeof res.headers.location === 'string' ? res.headers.location : undefined;
        resolve({ statusCode: res.statusCode ?? 0, body, ...(location ? { location } : {}) });
      });
    });
    r.setTimeout(req.timeoutMs, () => r.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    r.on('error', reject);
    r.end(payload);
  });
}
