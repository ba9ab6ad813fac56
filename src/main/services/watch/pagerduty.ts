// PagerDuty Events API v2: the events the watcher sends and one POST of one event.
// https://developer.pagerduty.com/docs/events-api-v2/trigger-events/ describes the
// schema: routing_key, event_action, dedup_key, payload.{summary, source, severity}.
// Events are built and queued WITHOUT the routing key; withRoutingKey() adds it to the
// bytes that go on the wire and nowhere else.
import type { PageSeverity, WatchCondition } from '../../../shared/contracts/watch';

export interface TriggerInput {
  condition: WatchCondition;
  dedupKey: string;
  severity: PageSeverity;
  summary: string;
  /** The affected system: the Vault cluster (name or address). */
  source: string;
  timestamp: string;
  /** What was seen; never a secret value (addresses, counts, ids, times). */
  details: Record<string, unknown>;
  link: { href: string; text: string };
}

export interface PagerEvent {
  event_action: 'trigger' | 'resolve';
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: PageSeverity;
    timestamp: string;
    component: string;
    group: string;
    class: string;
    custom_details: Record<string, unknown>;
  };
  links?: { href: string; text: string }[];
  client?: string;
}

export const SUMMARY_MAX = 1024;
export const DEDUP_KEY_MAX = 255;

export function triggerEvent(t: TriggerInput): PagerEvent {
  return {
    event_action: 'trigger',
    dedup_key: t.dedupKey.slice(0, DEDUP_KEY_MAX),
    payload: {
      summary: t.summary.slice(0, SUMMARY_MAX),
      source: t.source.slice(0, 255) || 'vault',
      severity: t.severity,
      timestamp: t.timestamp,
      component: 'vault',
      group: 'vault-console',
      class: t.condition,
      custom_details: { ...t.details, console_link: t.link.href },
    },
    links: [t.link],
    client: 'Vault Console watch',
  };
}

export function resolveEvent(dedupKey: string): PagerEvent {
  return { event_action: 'resolve', dedup_key: dedupKey.slice(0, DEDUP_KEY_MAX) };
}

/** The wire bytes: the stored event plus the routing key. Call only right before sending. */
export function withRoutingKey(eventJson: string, routingKey: string): string {
  const ev = JSON.parse(eventJson) as PagerEvent;
  return JSON.stringify({ routing_key: routingKey, ...ev });
}

export type SendOutcome =
  | { kind: 'delivered'; status: number }
  /** afterMs: what the receiver asked for (Retry-After), null when it did not say. */
  | { kind: 'retry'; status: number | null; afterMs: number | null; reason: string }
  | { kind: 'drop'; status: number; reason: string };

export type EventSender = (url: string, body: string) => Promise<SendOutcome>;

const SEND_TIMEOUT_MS = 10_000;
const PERMANENT = new Set([400, 413, 422]);
const MAX_RETRY_AFTER_MS = 3_600_000;

/** Retry-After as delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.min(Number(v) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, at - nowMs), MAX_RETRY_AFTER_MS);
}

/** PagerDuty's own message from an error answer, cut short; the caller redacts it. */
async function reasonOf(res: Response): Promise<string> {
  let text = '';
  try {
    text = (await res.text()).slice(0, 2000);
  } catch {
    return `HTTP ${res.status}`;
  }
  try {
    const body = JSON.parse(text) as { message?: unknown; status?: unknown };
    const msg = typeof body.message === 'string' ? body.message : typeof body.status === 'string' ? body.status : '';
    return msg ? `HTTP ${res.status}: ${msg.replace(/\s+/g, ' ').slice(0, 160)}` : `HTTP ${res.status}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}

/**
 * One POST. 2xx delivered. 400, 413 and 422 say the event itself is malformed, which
 * no retry can fix: dropped. Everything else (429, 5xx, no answer, and a 404 or 403 from
 * a mistyped URL or a proxy, which an operator can fix) is retried, honouring Retry-After.
 */
export const httpSender: EventSender = async (url, body) => {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'vault-console-watch' },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string } };
    const why = e?.cause?.code ?? (e?.name === 'TimeoutError' ? 'timeout' : (e?.name ?? 'error'));
    return { kind: 'retry', status: null, afterMs: null, reason: `no answer (${why})` };
  }
  if (res.status >= 200 && res.status < 300) {
    await res.body?.cancel().catch(() => undefined);
    return { kind: 'delivered', status: res.status };
  }
  const afterMs = parseRetryAfter(res.headers.get('retry-after'), Date.now());
  const reason = await reasonOf(res);
  if (PERMANENT.has(res.status)) return { kind: 'drop', status: res.status, reason };
  return { kind: 'retry', status: res.status, afterMs, reason };
};
