// Suspicious-activity rules from the spec, as pure functions over events sorted by
// time. Each alert carries the ids of the events behind it so the viewer can open
// them. Thresholds and the off-hours time zone are settings.
import type { AlertSettings, AuditAlertView } from '../../../shared/contracts/audit';
import type { AuditRecord } from './audit-record';

export type DetectorEvent = Pick<AuditRecord, 'ts' | 'action' | 'user' | 'ip' | 'tenant' | 'status' | 'approvalId' | 'path'> & { id: number };

export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  failedAuthThreshold: 5,
  failedAuthWindowMinutes: 5,
  offHoursStart: 2,
  offHoursEnd: 6,
  timeZone: 'UTC',
  bulkReadThreshold: 100,
  bulkReadWindowSeconds: 60,
};

const MAX_IDS = 500;

/**
 * Sliding window per key: an alert when `threshold` events fall within `windowMs`.
 * Overlapping bursts of one key merge into one alert (so 50 failures give one red
 * alert listing them all, not 46).
 */
function windowed(events: readonly DetectorEvent[], keyOf: (e: DetectorEvent) => string | null, windowMs: number, threshold: number): { key: string; events: DetectorEvent[] }[] {
  const byKey = new Map<string, DetectorEvent[]>();
  for (const e of events) {
    const k = keyOf(e);
    if (!k) continue;
    let list = byKey.get(k);
    if (!list) byKey.set(k, (list = []));
    list.push(e);
  }
  const out: { key: string; events: DetectorEvent[] }[] = [];
  for (const [key, list] of byKey) {
    // Mark every event that is part of some qualifying window (linear: each index
    // is marked once), then cut the marked runs into bursts.
    const marked = new Uint8Array(list.length);
    let lo = 0;
    let markedUpTo = -1;
    for (let hi = 0; hi < list.length; hi++) {
      while (list[hi]!.ts - list[lo]!.ts > windowMs) lo++;
      if (hi - lo + 1 >= threshold) {
        for (let i = Math.max(lo, markedUpTo + 1); i <= hi; i++) marked[i] = 1;
        markedUpTo = hi;
      }
    }
    let current: DetectorEvent[] | null = null;
    for (let i = 0; i < list.length; i++) {
      if (!marked[i]) {
        current = null;
        continue;
      }
      if (!current) out.push({ key, events: (current = []) });
      current.push(list[i]!);
    }
  }
  return out;
}

function alert(kind: AuditAlertView['kind'], severity: AuditAlertView['severity'], title: string, detail: string, subject: string, evs: readonly DetectorEvent[]): AuditAlertView {
  const from = evs[0]!.ts;
  const to = evs.at(-1)!.ts;
  return {
    id: `${kind}:${subject}:${from}`,
    kind,
    severity,
    title,
    detail,
    subject,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    eventCount: evs.length,
    eventIds: evs.slice(0, MAX_IDS).map((e) => e.id),
  };
}

export function detectFailedAuth(failed: readonly DetectorEvent[], s: AlertSettings): AuditAlertView[] {
  const windowMs = s.failedAuthWindowMinutes * 60_000;
  const fails = failed.filter((e) => e.action === 'failed-login');
  const out: AuditAlertView[] = [];
  for (const g of windowed(fails, (e) => e.user || null, windowMs, s.failedAuthThreshold)) {
    out.push(alert('failed-auth-user', 'red', `${g.events.length} failed sign-ins for ${g.key}`, `${s.failedAuthThreshold}+ failed authentication attempts within ${s.failedAuthWindowMinutes} minutes for one user.`, g.key, g.events));
  }
  for (const g of windowed(fails, (e) => e.ip || null, windowMs, s.failedAuthThreshold)) {
    out.push(alert('failed-auth-ip', 'red', `${g.events.length} failed sign-ins from ${g.key}`, `${s.failedAuthThreshold}+ failed authentication attempts within ${s.failedAuthWindowMinutes} minutes from one source address.`, g.key, g.events));
  }
  return out;
}

export function detectBulkReads(reads: readonly DetectorEvent[], s: AlertSettings): AuditAlertView[] {
  // "More than N in the window": the threshold is exceeded at N + 1.
  const groups = windowed(reads.filter((e) => e.action === 'read' && e.tenant !== null), (e) => e.user || null, s.bulkReadWindowSeconds * 1000, s.bulkReadThreshold + 1);
  return groups.map((g) => alert('bulk-reads', 'yellow', `Bulk secret reads by ${g.key}: ${g.events.length}`, `More than ${s.bulkReadThreshold} tenant secret reads within ${s.bulkReadWindowSeconds} seconds by one user.`, g.key, g.events));
}

const FORMATS = new Map<string, Intl.DateTimeFormat>();
const LOCAL = new Map<string, Map<number, { hour: number; date: string }>>();
/** Every zone's UTC offset is a multiple of 15 minutes, and so is every DST switch. */
const QUARTER_HOUR = 900_000;

/**
 * Local hour and date of ts in the configured zone (DST-correct, via Intl). Intl is
 * slow (microseconds per call): one formatter per zone, one answer per quarter hour.
 */
export function localHour(ts: number, timeZone: string): { hour: number; date: string } {
  let memo = LOCAL.get(timeZone);
  if (!memo) LOCAL.set(timeZone, (memo = new Map()));
  const q = Math.floor(ts / QUARTER_HOUR);
  const hit = memo.get(q);
  if (hit) return hit;
  let fmt = FORMATS.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' });
    FORMATS.set(timeZone, fmt);
  }
  const parts = fmt.formatToParts(new Date(q * QUARTER_HOUR));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const r = { hour: Number(get('hour')), date: `${get('year')}-${get('month')}-${get('day')}` };
  if (memo.size > 200_000) memo.clear();
  memo.set(q, r);
  return r;
}

export function inOffHours(hour: number, s: AlertSettings): boolean {
  return s.offHoursStart <= s.offHoursEnd ? hour >= s.offHoursStart && hour < s.offHoursEnd : hour >= s.offHoursStart || hour < s.offHoursEnd;
}

/** UTC hours that can be off-hours in the zone at some time of year (SQL prefilter). */
export function candidateUtcHours(s: AlertSettings): number[] {
  const hours = new Set<number>();
  // Sample every 15 days of a year and every hour: covers DST and half-hour zones.
  for (let d = 0; d < 366; d += 15) {
    for (let h = 0; h < 24; h++) {
      const ts = Date.UTC(2026, 0, 1 + d, h, 30);
      if (inOffHours(localHour(ts, s.timeZone).hour, s)) hours.add(h);
    }
  }
  return [...hours].sort((a, b) => a - b);
}

export function detectOffHours(access: readonly DetectorEvent[], s: AlertSettings): AuditAlertView[] {
  const groups = new Map<string, DetectorEvent[]>();
  for (const e of access) {
    if (e.tenant === null || !e.user) continue;
    const { hour, date } = localHour(e.ts, s.timeZone);
    if (!inOffHours(hour, s)) continue;
    const k = `${e.user}|${date}`;
    let list = groups.get(k);
    if (!list) groups.set(k, (list = []));
    list.push(e);
  }
  return [...groups.entries()].map(([k, evs]) => {
    const [user, date] = k.split('|') as [string, string];
    const pad = (n: number) => String(n).padStart(2, '0');
    return alert('off-hours', 'yellow', `Off-hours access by ${user} on ${date}`, `${evs.length} tenant secret accesses between ${pad(s.offHoursStart)}:00 and ${pad(s.offHoursEnd)}:00 (${s.timeZone}).`, user, evs);
  });
}

/** A deletion that did not travel with an approval id (console header) is red. */
export function detectUnapprovedDeletes(deletes: readonly DetectorEvent[], validApproval: (id: string) => boolean = () => true): AuditAlertView[] {
  return deletes
    .filter((e) => e.action === 'delete' && e.tenant !== null && e.status === 'ok' && !(e.approvalId && validApproval(e.approvalId)))
    .map((e) =>
      alert('delete-without-approval', 'red', `Secret deleted without approval by ${e.user || 'unknown'}`, `${e.path} was deleted ${e.approvalId ? `with an unknown approval id ${e.approvalId}` : 'without a second admin\'s approval'}.`, e.user || e.ip, [e]),
    );
}

export function sortAlerts(alerts: AuditAlertView[]): AuditAlertView[] {
  return alerts.sort((a, b) => (a.severity === b.severity ? b.to.localeCompare(a.to) : a.severity === 'red' ? -1 : 1));
}
