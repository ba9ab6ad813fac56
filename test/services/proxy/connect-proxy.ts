// A small HTTP proxy on loopback for tests of the console behind a corporate proxy: it
// answers CONNECT by opening the tunnel (and logs the target), and records, without
// forwarding, any other request (an absolute-form GET would mean a client sent its request,
// token and all, to the proxy in clear). It is the test's instrument, not a stand-in for a
// product component. Loopback only.
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ProxyLog {
  /** "host:port" of every CONNECT. */
  connects: string[];
  /** The head (request line and headers) of every non-CONNECT request. */
  plainRequests: string[];
}

export interface ConnectProxy {
  url: string;
  log: ProxyLog;
  close(): Promise<void>;
}

export async function startConnectProxy(): Promise<ConnectProxy> {
  const log: ProxyLog = { connects: [], plainRequests: [] };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > 64 * 1024) client.destroy();
        return;
      }
      client.off('data', onData);
      const text = head.subarray(0, end).toString('latin1');
      const rest = head.subarray(end + 4);
      const [method, target] = text.split(' ');
      if (method !== 'CONNECT' || !target) {
        log.plainRequests.push(text);
        client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      log.connects.push(target);
      const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
      if (!m || !['127.0.0.1', '::1', 'localhost'].includes(m[1]!)) {
        // Never a tunnel off this machine.
        client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const upstream = connect(Number(m[2]), m[1]!, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (rest.length) upstream.write(rest);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      sockets.add(upstream);
      upstream.on('close', () => {
        sockets.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'));
      client.on('close', () => upstream.destroy());
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
