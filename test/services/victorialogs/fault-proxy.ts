// A loopback proxy in front of the real VictoriaLogs that misbehaves on the test's
// command: answers late, or sends part of an answer and then drops the connection (as
// when the server dies mid-answer). Requests still go to the real server, unchanged.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FaultMode =
  | { kind: 'pass' }
  | { kind: 'delay'; ms: number }
  | { kind: 'cut'; afterBytes: number; beforeCut?: () => Promise<void> }
  /** Requests whose body `match`es wait until `until` settles; the others pass. */
  | { kind: 'hold'; match: (body: string) => boolean; until: Promise<void> };

export interface FaultProxy {
  url: string;
  mode: FaultMode;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const timers = new Set<NodeJS.Timeout>();
  const proxy: FaultProxy = { url: '', mode: { kind: 'pass' }, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const mode = proxy.mode;
      const go = () => {
        const out = request({ hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, (up) => {
          if (mode.kind !== 'cut') {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
            return;
          }
          const body: Buffer[] = [];
          up.on('data', (c: Buffer) => body.push(c));
          up.on('end', async () => {
            const all = Buffer.concat(body);
            const headers = { ...up.headers };
            delete headers['content-length'];
            res.writeHead(up.statusCode ?? 502, { ...headers, 'transfer-encoding': 'chunked' });
            res.write(all.subarray(0, Math.min(mode.afterBytes, Math.max(1, all.length - 1))));
            await mode.beforeCut?.();
            // The connection drops before the answer's end.
            res.socket?.destroy();
          });
        });
        out.on('error', () => {
          res.writeHead(502);
          res.end();
        });
        out.end(Buffer.concat(chunks));
      };
      if (mode.kind === 'hold') {
        const body = decodeURIComponent(Buffer.concat(chunks).toString('utf8').replace(/\+/g, ' '));
        if (mode.match(body)) void mode.until.then(go, go);
        else go();
      } else if (mode.kind === 'delay') {
        const t = setTimeout(() => {
          timers.delete(t);
          go();
        }, mode.ms);
        timers.add(t);
      } else go();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = async () => {
    for (const t of timers) clearTimeout(t);
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return proxy;
}
