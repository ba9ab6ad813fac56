// The harness WebSocket: same handlers as Electron's IPC registry, through dispatch().
// Refused before upgrade: wrong path, foreign Host or Origin, missing or wrong token.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { isEventName } from '../../src/shared/contract';
import { dispatch } from '../../src/main/handlers/dispatch';
import { createLogger } from '../../src/main/services/log/logger';
import type { EventSink, Handlers } from '../../src/main/handlers/types';
import { HARNESS_PROTOCOL, TOKEN_PROTOCOL_PREFIX, WS_PATH, type ServerMessage } from './protocol';

export interface HarnessSocketServer {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

export interface SocketServerOptions {
  token: string;
  /** e.g. http://127.0.0.1:4321 — the only Origin accepted. */
  origin: string;
  /** e.g. 127.0.0.1:4321 — the only Host accepted (DNS-rebinding guard). */
  host: string;
  getHandlers(): Handlers;
}

const log = createLogger('harness');

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function offeredToken(req: IncomingMessage): string | null {
  const header = req.headers['sec-websocket-protocol'];
  if (typeof header !== 'string') return null;
  const offered = header.split(',').map((s) => s.trim());
  if (!offered.includes(HARNESS_PROTOCOL)) return null;
  const tok = offered.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
  return tok ? tok.slice(TOKEN_PROTOCOL_PREFIX.length) : null;
}

/** Why an upgrade is refused, or null when it is allowed. */
export function refuseReason(req: IncomingMessage, opts: Pick<SocketServerOptions, 'token' | 'origin' | 'host'>): string | null {
  const path = (req.url ?? '').split('?')[0];
  if (path !== WS_PATH) return 'path';
  if (req.headers.host !== opts.host) return 'host';
  // Browsers always send Origin; a page on any other origin must never drive the handlers.
  if (req.headers.origin !== opts.origin) return 'origin';
  const token = offeredToken(req);
  if (!token || !sameSecret(token, opts.token)) return 'token';
  return null;
}

export function createSocketServer(opts: SocketServerOptions): { server: HarnessSocketServer; events: EventSink } {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 1024 * 1024,
    // Select the plain protocol; the token is never echoed back.
    handleProtocols: () => HARNESS_PROTOCOL,
  });
  const subscriptions = new Map<WebSocket, Set<string>>();

  const send = (ws: WebSocket, msg: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  };

  wss.on('connection', (ws: WebSocket) => {
    subscriptions.set(ws, new Set());
    ws.on('close', () => subscriptions.delete(ws));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'text only');
      let msg: { type?: unknown; id?: unknown; channel?: unknown; input?: unknown; event?: unknown };
      try {
        msg = JSON.parse(data.toString()) as typeof msg;
      } catch {
        return ws.close(1007, 'invalid JSON');
      }
      if (msg === null || typeof msg !== 'object') return ws.close(1007, 'invalid message');
      if (msg.type === 'invoke' && Number.isSafeInteger(msg.id)) {
        const id = msg.id as number;
        void dispatch(opts.getHandlers(), msg.channel, msg.input).then((envelope) => send(ws, { type: 'result', id, envelope }));
      } else if ((msg.type === 'subscribe' || msg.type === 'unsubscribe') && isEventName(msg.event)) {
        const subs = subscriptions.get(ws);
        if (msg.type === 'subscribe') subs?.add(msg.event);
        else subs?.delete(msg.event);
      } else {
        ws.close(1008, 'unknown message');
      }
    });
  });

  const events: EventSink = {
    emit(event, payload) {
      for (const [ws, subs] of subscriptions) if (subs.has(event)) send(ws, { type: 'event', event, payload });
    },
  };

  const server: HarnessSocketServer = {
    handleUpgrade(req, socket, head) {
      const reason = refuseReason(req, opts);
      if (reason) {
        // Never tell the client which check failed; the reason goes to the harness log only.
        log.warn(`refused WebSocket upgrade: ${reason}`);
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    close() {
      for (const ws of wss.clients) ws.terminate();
      return new Promise((resolve) => wss.close(() => resolve()));
    },
  };
  return { server, events };
}
