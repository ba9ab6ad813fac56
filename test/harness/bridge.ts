// Runs in the harness page before the app: defines window.vaultConsole (the same
// VaultConsoleBridge the preload exposes) over the harness WebSocket.
// Compiled by esbuild (build.ts) to an IIFE and served at /__harness/bridge.js.
import { BRIDGE_KEY, type VaultConsoleBridge } from '../../src/shared/bridge';
import type { Envelope } from '../../src/shared/errors';
import { HARNESS_PROTOCOL, TOKEN_PROTOCOL_PREFIX, WS_PATH, type ClientMessage, type ServerMessage } from './protocol';

// This file is type-checked with the Node tsconfig (no DOM lib), so it names the
// few browser globals it uses itself instead of pulling DOM types into main's program.
interface BrowserSocket {
  send(data: string): void;
  addEventListener(type: 'open' | 'close', cb: () => void, opts?: { once: boolean }): void;
  addEventListener(type: 'message', cb: (ev: { data: unknown }) => void): void;
}
interface BrowserGlobals {
  location: { hash: string; host: string; pathname: string; search: string };
  history: { replaceState(state: null, unused: string, url: string): void };
  WebSocket: new (url: string, protocols: string[]) => BrowserSocket;
}
const win = globalThis as unknown as BrowserGlobals;

// The token arrives in the fragment (never sent to the server); drop it from the address bar.
const token = new URLSearchParams(win.location.hash.slice(1)).get('token') ?? '';
if (win.location.hash) win.history.replaceState(null, '', win.location.pathname + win.location.search);

const socket = new win.WebSocket(`ws://${win.location.host}${WS_PATH}`, [HARNESS_PROTOCOL, TOKEN_PROTOCOL_PREFIX + token]);
const opened = new Promise<void>((resolve, reject) => {
  socket.addEventListener('open', () => resolve(), { once: true });
  socket.addEventListener('close', () => reject(new Error('harness connection closed')), { once: true });
});
opened.catch(() => undefined);

let nextId = 1;
const pending = new Map<number, { resolve(e: Envelope<unknown>): void; reject(err: Error): void }>();
const listeners = new Map<string, Set<(payload: unknown) => void>>();

function send(msg: ClientMessage): void {
  void opened.then(() => socket.send(JSON.stringify(msg)));
}

socket.addEventListener('message', (ev) => {
  let msg: ServerMessage;
  try {
    msg = JSON.parse(String(ev.data)) as ServerMessage;
  } catch {
    return;
  }
  if (msg.type === 'result') {
    pending.get(msg.id)?.resolve(msg.envelope);
    pending.delete(msg.id);
  } else if (msg.type === 'event') {
    for (const cb of listeners.get(msg.event) ?? []) cb(msg.payload);
  }
});

socket.addEventListener('close', () => {
  for (const p of pending.values()) p.reject(new Error('harness connection closed'));
  pending.clear();
});

const bridge: VaultConsoleBridge = {
  invoke(channel, input) {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve: resolve as (e: Envelope<unknown>) => void, reject });
      opened.then(
        () => socket.send(JSON.stringify({ type: 'invoke', id, channel, input } satisfies ClientMessage)),
        (err: Error) => {
          pending.delete(id);
          reject(err);
        },
      );
    });
  },
  subscribe(event, cb) {
    let set = listeners.get(event);
    if (!set) {
      set = new Set();
      listeners.set(event, set);
      send({ type: 'subscribe', event });
    }
    const fn = cb as (payload: unknown) => void;
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) {
        listeners.delete(event);
        send({ type: 'unsubscribe', event });
      }
    };
  },
};

Object.defineProperty(globalThis, BRIDGE_KEY, { value: Object.freeze(bridge), writable: false, configurable: false });
