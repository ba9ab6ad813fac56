// A loopback reverse proxy in front of the real OpenBao that can hold chosen requests until
// the test releases them: how a test puts another admin's write exactly between a
// console's read and its write. Every request still goes to the real server, unchanged;
// only its timing is the test's.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HeldRequest {
  method: string;
  /** The path after /v1/, without the query. */
  path: string;
  release(): void;
}

export interface HoldingProxy {
  addr: string;
  /** Holds the next request that matches; resolves when it arrives (not yet forwarded). */
  holdNext(match: (method: string, path: string) => boolean): Promise<HeldRequest>;
  close(): Promise<void>;
}

export async function startHoldingProxy(target: string): Promise<HoldingProxy> {
  const upstream = new URL(target);
  const waiters: Array<{ match: (m: string, p: string) => boolean; resolve: (h: HeldRequest) => void }> = [];

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const out = request(
      { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    out.end(body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = (req.url ?? '').replace(/^\/v1\//, '').split('?')[0]!;
      const method = req.method ?? 'GET';
      const i = waiters.findIndex((w) => w.match(method, path));
      if (i < 0) {
        forward(req, body, res);
        return;
      }
      const [w] = waiters.splice(i, 1);
      w!.resolve({ method, path, release: () => forward(req, body, res) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    addr: `http://127.0.0.1:${port}`,
    holdNext: (match) => new Promise((resolve) => waiters.push({ match, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
