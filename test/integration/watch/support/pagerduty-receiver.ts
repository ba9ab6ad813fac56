// A local stand-in for PagerDuty's Events API v2 endpoint that a test points the watcher
// (or Alertmanager) at. It checks each request against the v2 schema as PagerDuty
// documents it (written here from the documentation, not from the code under test),
// answers with scripted statuses (429 with Retry-After, 500, then 202 ...), and records
// everything it saw so a test can count what was accepted.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedEvent {
  at: number;
  /** The HTTP status this request was answered with. */
  status: number;
  valid: boolean;
  problems: string[];
  body: Record<string, unknown> | null;
  raw: string;
  routingKey: string | null;
  action: string | null;
  dedupKey: string | null;
  /** The watch condition the dedup_key names (its last segment), like "vault-sealed". */
  condition: string | null;
  severity: string | null;
  summary: string | null;
}

export interface ScriptedAnswer {
  status: number;
  retryAfter?: string;
  /** Echo the request body back in the message (a hostile or buggy endpoint). */
  echo?: boolean;
}

const SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);
const ACTIONS = new Set(['trigger', 'acknowledge', 'resolve']);

/** Problems with an Events API v2 body, per PagerDuty's documentation; empty when valid. */
export function v2Problems(b: unknown, expectedKey?: string): string[] {
  const p: string[] = [];
  if (!b || typeof b !== 'object' || Array.isArray(b)) return ['body is not a JSON object'];
  const o = b as Record<string, unknown>;
  if (typeof o.routing_key !== 'string' || o.routing_key.length === 0) p.push('routing_key missing');
  else if (expectedKey !== undefined && o.routing_key !== expectedKey) p.push('routing_key is not the configured one');
  if (typeof o.event_action !== 'string' || !ACTIONS.has(o.event_action)) p.push('event_action must be trigger, acknowledge or resolve');
  if (o.dedup_key !== undefined && (typeof o.dedup_key !== 'string' || o.dedup_key.length === 0 || o.dedup_key.length > 255)) p.push('dedup_key must be a string of 1-255 characters');
  if ((o.event_action === 'resolve' || o.event_action === 'acknowledge') && typeof o.dedup_key !== 'string') p.push('dedup_key is required to resolve or acknowledge');
  if (o.event_action === 'trigger') {
    const pl = o.payload as Record<string, unknown> | undefined;
    if (!pl || typeof pl !== 'object') p.push('payload missing');
    else {
      if (typeof pl.summary !== 'string' || pl.summary.length === 0 || pl.summary.length > 1024) p.push('payload.summary must be 1-1024 characters');
      if (typeof pl.source !== 'string' || pl.source.length === 0) p.push('payload.source missing');
      if (typeof pl.severity !== 'string' || !SEVERITIES.has(pl.severity)) p.push('payload.severity must be critical, error, warning or info');
      if (pl.timestamp !== undefined && (typeof pl.timestamp !== 'string' || Number.isNaN(Date.parse(pl.timestamp)))) p.push('payload.timestamp is not ISO 8601');
      for (const k of ['component', 'group', 'class']) if (pl[k] !== undefined && typeof pl[k] !== 'string') p.push(`payload.${k} must be a string`);
      if (pl.custom_details !== undefined && (typeof pl.custom_details !== 'object' || pl.custom_details === null)) p.push('payload.custom_details must be an object');
    }
    if (o.links !== undefined) {
      if (!Array.isArray(o.links)) p.push('links must be an array');
      else for (const l of o.links as Record<string, unknown>[]) if (!l || typeof l.href !== 'string') p.push('links[].href missing');
    }
  }
  return p;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export class PagerDutyReceiver {
  readonly events: ReceivedEvent[] = [];
  private script: ScriptedAnswer[] = [];
  private server: Server | null = null;
  private waiters: (() => void)[] = [];
  url = '';
  port = 0;

  constructor(private readonly expectedKey?: string) {}

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      void (async () => {
        const raw = await readBody(req);
        let body: Record<string, unknown> | null = null;
        try {
          body = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          body = null;
        }
        const problems = req.method !== 'POST' || req.url !== '/v2/enqueue' ? [`${req.method} ${req.url} is not POST /v2/enqueue`] : v2Problems(body, this.expectedKey);
        const scripted = this.script.shift();
        const status = problems.length > 0 ? 400 : (scripted?.status ?? 202);
        const pl = (body?.payload ?? {}) as Record<string, unknown>;
        this.events.push({
          at: Date.now(),
          status,
          valid: problems.length === 0,
          problems,
          body,
          raw,
          routingKey: typeof body?.routing_key === 'string' ? body.routing_key : null,
          action: typeof body?.event_action === 'string' ? body.event_action : null,
          dedupKey: typeof body?.dedup_key === 'string' ? body.dedup_key : null,
          condition: typeof body?.dedup_key === 'string' ? (body.dedup_key.split('/').at(-1) ?? null) : null,
          severity: typeof pl.severity === 'string' ? pl.severity : null,
          summary: typeof pl.summary === 'string' ? pl.summary : null,
        });
        const headers: Record<string, string> = { 'Content-Type': 'application/json' };
        if (scripted?.retryAfter) headers['Retry-After'] = scripted.retryAfter;
        const answer =
          status === 202
            ? { status: 'success', message: 'Event processed', dedup_key: body?.dedup_key }
            : status === 400
              ? { status: 'invalid event', message: scripted?.echo ? `Event object is invalid: ${raw}` : 'Event object is invalid', errors: problems }
              : { status: 'error', message: scripted?.echo ? `try again: ${raw}` : `scripted ${status}` };
        res.writeHead(status, headers).end(JSON.stringify(answer));
        for (const w of this.waiters.splice(0)) w();
      })();
    });
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', () => r()));
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}/v2/enqueue`;
    return this.url;
  }

  /** The next requests are answered with these statuses, in order (then 202). */
  answer(...answers: ScriptedAnswer[]): void {
    this.script.push(...answers);
  }

  /**
   * Triggers for one condition. Tests on the shared OpenBao look only at their own condition:
   * other test files read tenant secrets in parallel, and between 02:00 and 06:00 UTC the
   * off-hours rule rightly pages those reads too.
   */
  triggers(condition: string): ReceivedEvent[] {
    return this.events.filter((e) => e.action === 'trigger' && e.condition === condition);
  }

  accepted(filter: (e: ReceivedEvent) => boolean = () => true): ReceivedEvent[] {
    return this.events.filter((e) => e.status === 202 && filter(e));
  }

  /** Resolves when a request matching `pred` has arrived; rejects after timeoutMs. */
  async waitFor(pred: (e: ReceivedEvent) => boolean, timeoutMs: number, what = 'an event'): Promise<ReceivedEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`receiver: no ${what} within ${timeoutMs} ms (got ${this.events.length}: ${JSON.stringify(this.events.map((e) => [e.action, e.dedupKey, e.status, e.problems]))})`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}
