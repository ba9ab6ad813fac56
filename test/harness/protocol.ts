// Wire messages between the harness page (bridge.ts) and the harness server (ws-server.ts).
import type { Envelope } from '../../src/shared/errors';

/** The WebSocket subprotocol the server selects; the token travels as a second offered protocol. */
export const HARNESS_PROTOCOL = 'vc-harness';
/** Offered protocol carrying the per-run token: `vc-token.<base64url>`. */
export const TOKEN_PROTOCOL_PREFIX = 'vc-token.';
export const WS_PATH = '/__harness/ws';
export const BRIDGE_PATH = '/__harness/bridge.js';

export type ClientMessage =
  | { type: 'invoke'; id: number; channel: unknown; input: unknown }
  | { type: 'subscribe'; event: string }
  | { type: 'unsubscribe'; event: string };

export type ServerMessage =
  | { type: 'result'; id: number; envelope: Envelope<unknown> }
  | { type: 'event'; event: string; payload: unknown };
