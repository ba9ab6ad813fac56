// The /metrics endpoint (Prometheus text format) and /healthz, on a configurable
// address, loopback by default. Read-only, no request body is read, nothing but
// these two paths answers. A taken or forbidden address is a clear start error.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '../../../shared/errors';
import type { MetricsAddress } from './watch-config';

export interface MetricsServerDeps {
  metrics: () => Promise<string>;
  contentType: string;
  /** Whether the watch loop is alive (for /healthz): null when it is, else why not. */
  problem: () => string | null;
}

export class MetricsServer {
  private server: Server | null = null;

  constructor(private readonly deps: MetricsServerDeps) {}

  /** Binds the address; resolves with the port bound (useful with port 0). */
  listen(addr: MetricsAddress): Promise<number> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed\n');
        return;
      }
      if (path === '/metrics') {
        this.deps.metrics().then(
          (text) => {
            res.writeHead(200, { 'Content-Type': this.deps.contentType, 'Cache-Control': 'no-store' });
            res.end(req.method === 'HEAD' ? undefined : text);
          },
          () => res.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics unavailable\n'),
        );
        return;
      }
      if (path === '/healthz') {
        const problem = this.deps.problem();
        res.writeHead(problem ? 503 : 200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : `${JSON.stringify(problem ? { ok: false, problem } : { ok: true })}\n`);
        return;
      }
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: try /metrics\n');
    });
    // A scraper gets seconds, not minutes, to send its request.
    server.headersTimeout = 5_000;
    server.requestTimeout = 10_000;
    server.keepAliveTimeout = 30_000;
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        server.close();
        const where = `${addr.host.includes(':') ? `[${addr.host}]` : addr.host}:${addr.port}`;
        if (err.code === 'EADDRINUSE') reject(new AppError('BAD_INPUT', `the metrics address ${where} is already in use; choose another with -metrics-address`));
        else if (err.code === 'EACCES') reject(new AppError('BAD_INPUT', `not allowed to listen on the metrics address ${where} (a port below 1024 needs privileges)`));
        else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') reject(new AppError('BAD_INPUT', `the metrics address ${where} is not an address of this host`));
        else reject(new AppError('INTERNAL', `cannot listen on the metrics address ${where} (${err.code ?? 'error'})`));
      };
      server.once('error', onError);
      server.listen({ port: addr.port, host: addr.host, exclusive: true }, () => {
        server.off('error', onError);
        this.server = server;
        resolve((server.address() as AddressInfo).port);
      });
    });
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}
