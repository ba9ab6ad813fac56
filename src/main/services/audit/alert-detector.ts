// Suspicious-activity rules, as pure functions over Vault's record of events sorted
// by time (the audit service and the headless watch service both call detectAlerts).
// Each alert carries the ids of the events behind it so the viewer can open them.
// Thresholds, the off-hours time zone and the approval rules are settings.
//
// Every rule reads Vault's own classification (action, from mount, path, operation
// and outcome) and Vault's identity of the caller (identity.ts); the console header
// is read only to catch it contradicting what Vault did.
import type { AlertSettings, AuditAlertView } from '../../../shared/contracts/audit';
import { deletedSecret, judgeDeletes, type LedgerEvent } from './approval-ledger';
import type { AuditRecord } from './audit-record';
import { parseConsoleTag, SINGLE_SECRET_ACTIONS } from './console-header';
import { runs, windowed, windowedDistinct } from './alert-windows';
import { identityKey, identityLabel, type EntityNames } from './identity';

export type DetectorEvent = Pick<
  AuditRecord,
  'ts' | 'action' | 'user' | 'ip' | 'tenant' | 'status' | 'approvalId' | 'path' | 'mount' | 'entityId' | 'consoleHeader' | 'headerConflict' | 'approvalWrite' | 'operation'
> & { id: number };

export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  failedAuthThreshold: 5,
  failedAuthWindowMinutes: 5,
  offHoursStart: 2,
  offHoursEnd: 6,
  timeZone: 'UTC',
  bulkReadThreshold: 100,
  bulkReadWindowSeconds: 60,
  wideReadThreshold: 300,
  approverPolicy: 'vault-console-admin',
  approvalValidHours: 24,
};

/** What the detectors look at: Vault's record of each kind of event, oldest first. */
export interface DetectorInput {
  failed: readonly DetectorEvent[];
  /** Reads of tenant secrets. */
  reads: readonly DetectorEvent[];
  deletes: readonly DetectorEvent[];
  /** Writes of tenant secrets (a burst of them flushes a secret's version history). */
  writes?: readonly DetectorEvent[];
  /** Tenant secret accesses in candidate off-hours. */
  offHours: readonly DetectorEvent[];
  /** Entries whose console header contradicts Vault's operation. */
  conflicts: readonly DetectorEvent[];
  /** sys/raw, audit devices and headers, mount tuning, remounts, root generation. */
  critical: readonly DetectorEvent[];
  /** Plaintext out of transit (decrypt, plaintext data keys, key export). */
  decrypts?: readonly DetectorEvent[];
  /** Vault's record of writes to approval requests (any time before the deletes). */
  approvalWrites: readonly DetectorEvent[];
  /** Rows stored before migration 13 with a client's word as their action. */
  unclassified?: { count: number; ids: number[]; first: number | null; last: number | null };
  /** The names entities signed in with (Vault's record of logins), for labels and the user filter. */
  entityNames?: EntityNames;
}

const MAX_IDS = 500;

function alert(
  kind: AuditAlertView['kind'],
  severity: AuditAlertView['severity'],
  title: string,
  detail: string,
  subject: string,
  evs: readonly DetectorEvent[],
  users?: readonly string[],
): AuditAlertView {
  const from = evs[0]!.ts;
  const to = evs.at(-1)!.ts;
  return {
    id: `${kind}:${subject}:${from}`,
    kind,
    severity,
    title,
    detail,
    subject,
    users: [...new Set(users ?? evs.map((e) => e.user).filter(Boolean))].slice(0, 100),
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    eventCount: evs.length,
    eventIds: evs.slice(0, MAX_IDS).map((e) => e.id),
  };
}

const NO_NAME = '(no name)';

/** The auth mount of a login event ("auth/userpass/"). */
function authMountOf(e: DetectorEvent): string {
  if (e.mount) return e.mount;
  const m = /^(.*?auth\/.+?\/)login(?:\/|$)/.exec(e.path);
  return m ? m[1]! : '';
}

/**
 * Failed sign-ins: per name and auth mount (names case-folded as Vault compares
 * them, whatever address they come from), per source address, and spraying (one
 * mount, many names: threshold distinct names within the window).
 */
export function detectFailedAuth(failed: readonly DetectorEvent[], s: AlertSettings): AuditAlertView[] {
  const windowMs = s.failedAuthWindowMinutes * 60_000;
  const fails = failed.filter((e) => e.action === 'failed-login');
  const out: AuditAlertView[] = [];
  // A login that names no one (AppRole's role_id is in the HMAC'd body) counts for the mount's nameless logins.
  for (const g of windowed(fails, (e) => `${authMountOf(e)}|${e.user || NO_NAME}`, windowMs, s.failedAuthThreshold)) {
    const [mount, user] = g.key.split('|') as [string, string];
    const ips = new Set(g.events.map((e) => e.ip)).size;
    out.push(
      alert(
        'failed-auth-user',
        'red',
        `${g.events.length} failed sign-ins for ${user}`,
        `${s.failedAuthThreshold}+ failed authentication attempts within ${s.failedAuthWindowMinutes} minutes for one name on ${mount || 'one auth mount'}${ips > 1 ? `, from ${ips} addresses` : ''}.`,
        user,
        g.events,
      ),
    );
  }
  for (const g of windowed(fails, (e) => e.ip || null, windowMs, s.failedAuthThreshold)) {
    out.push(alert('failed-auth-ip', 'red', `${g.events.length} failed sign-ins from ${g.key}`, `${s.failedAuthThreshold}+ failed authentication attempts within ${s.failedAuthWindowMinutes} minutes from one source address.`, g.key, g.events));
  }
  for (const g of windowedDistinct(fails, (e) => authMountOf(e) || null, (e) => e.user, windowMs, s.failedAuthThreshold)) {
    const names = new Set(g.events.map((e) => e.user)).size;
    out.push(
      alert(
        'failed-auth-spray',
        'red',
        `Password spraying on ${g.key}: ${names} names, ${g.events.length} failed sign-ins`,
        `Failed sign-ins for ${s.failedAuthThreshold}+ different names within ${s.failedAuthWindowMinutes} minutes on one auth mount.`,
        g.key,
        g.events,
      ),
    );
  }
  return out;
}

/**
 * More than N reads of tenant secrets within the window by one identity (entity,
 * name, or the pool of tokens without an identity). A bulk whose reads carry a
 * console header naming a one-secret action (a reveal, a download) is a lie told
 * to the audit trail: red.
 */
export function detectBulkReads(reads: readonly DetectorEvent[], s: AlertSettings, names?: EntityNames): AuditAlertView[] {
  // "More than N in the window": the threshold is exceeded at N + 1.
  const groups = windowed(
    reads.filter((e) => e.action === 'read' && e.tenant !== null),
    identityKey,
    s.bulkReadWindowSeconds * 1000,
    s.bulkReadThreshold + 1,
  );
  const out: AuditAlertView[] = [];
  for (const g of groups) {
    const { label, users } = identityLabel(g.key, g.events, names);
    out.push(alert('bulk-reads', 'yellow', `Bulk secret reads by ${label}: ${g.events.length}`, `More than ${s.bulkReadThreshold} tenant secret reads within ${s.bulkReadWindowSeconds} seconds by one identity.`, label, g.events, users));
    const tagged = g.events.filter((e) => {
      const t = parseConsoleTag(e.consoleHeader?.split(' | '));
      return t !== null && SINGLE_SECRET_ACTIONS.has(t.action);
    });
    if (tagged.length > 0) {
      const named = [...new Set(tagged.map((e) => parseConsoleTag(e.consoleHeader?.split(' | '))!.action))].join(', ');
      out.push(
        alert(
          'header-contradiction',
          'red',
          `Reads labelled "${named}" by ${label}: ${tagged.length} in a bulk of ${g.events.length}`,
          `The console header names a one-secret action (${named}) on ${tagged.length} reads that are part of a bulk of ${g.events.length} reads within ${s.bulkReadWindowSeconds} s: the client hides a bulk read behind a harmless label.`,
          label,
          tagged,
          users,
        ),
      );
    }
  }
  return out;
}

/** More than N distinct tenant secrets read by one identity within 24 hours: reading slowly is still reading them all. */
export function detectWideReads(reads: readonly DetectorEvent[], s: AlertSettings, names?: EntityNames): AuditAlertView[] {
  const groups = windowedDistinct(
    reads.filter((e) => e.action === 'read' && e.tenant !== null && (e.status === 'ok' || e.status === 'pending')),
    identityKey,
    (e) => e.path,
    86_400_000,
    s.wideReadThreshold + 1,
  );
  return groups.map((g) => {
    const { label, users } = identityLabel(g.key, g.events, names);
    const distinct = new Set(g.events.map((e) => e.path)).size;
    return alert('wide-reads', 'yellow', `${distinct} different tenant secrets read by ${label}`, `More than ${s.wideReadThreshold} distinct tenant secrets read within 24 hours by one identity.`, label, g.events, users);
  });
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

export function detectOffHours(access: readonly DetectorEvent[], s: AlertSettings, names?: EntityNames): AuditAlertView[] {
  const groups = new Map<string, { key: string; date: string; events: DetectorEvent[] }>();
  for (const e of access) {
    const key = identityKey(e);
    if (e.tenant === null || !key) continue;
    const { hour, date } = localHour(e.ts, s.timeZone);
    if (!inOffHours(hour, s)) continue;
    const k = `${key}|${date}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { key, date, events: [] }));
    g.events.push(e);
  }
  const pad = (n: number) => String(n).padStart(2, '0');
  return [...groups.values()].map((g) => {
    const { label, users } = identityLabel(g.key, g.events, names);
    return alert('off-hours', 'yellow', `Off-hours access by ${label} on ${g.date}`, `${g.events.length} tenant secret accesses between ${pad(s.offHoursStart)}:00 and ${pad(s.offHoursEnd)}:00 (${s.timeZone}).`, label, g.events, users);
  });
}

/**
 * A delete of a tenant secret that Vault did (or may have: no response seen) is
 * red unless an approval in Vault's record covers it (approval-ledger.ts).
 */
export function detectUnapprovedDeletes(deletes: readonly DetectorEvent[], approvalWrites: readonly DetectorEvent[], s: AlertSettings): AuditAlertView[] {
  const candidates = deletes.filter((e) => e.action === 'delete' && e.tenant !== null && (e.status === 'ok' || e.status === 'pending'));
  const verdicts = judgeDeletes(candidates as readonly LedgerEvent[], approvalWrites as readonly LedgerEvent[], s);
  const out: AuditAlertView[] = [];
  for (const e of candidates) {
    const v = verdicts.get(e.id);
    if (!v || v.approved) continue;
    const by = e.user || e.ip || 'unknown';
    out.push(
      alert(
        'delete-without-approval',
        'red',
        `Secret deleted without approval by ${by}`,
        `${e.path} was deleted${e.status === 'pending' ? ' (no response seen: it may have happened)' : ''} without an approval in Vault's record: ${v.reason}.`,
        by,
        [e],
      ),
    );
  }
  return out;
}

/**
 * KV v2 keeps a secret's last 10 versions (its default when the mount's and the secret's
 * max_versions are 0): ten writes push the value before them out of history for good. A
 * delete that never says "delete" (the mount's and the secret's retention settings are
 * caught where they are set: sys-critical, delete).
 */
export const KV_DEFAULT_MAX_VERSIONS = 10;
const HISTORY_FLUSH_WINDOW_MS = 86_400_000;

/**
 * That many successful (or unanswered) writes to one tenant secret within 24 hours, by
 * anyone: its earlier value is gone as by a delete, and no approval was asked. Red.
 */
export function detectHistoryFlush(writes: readonly DetectorEvent[], names?: EntityNames): AuditAlertView[] {
  const dataWrites = writes.filter((e) => {
    if (e.action !== 'write' || e.tenant === null || (e.status !== 'ok' && e.status !== 'pending') || !e.mount) return false;
    const rel = e.path.startsWith(e.mount) ? e.path.slice(e.mount.length) : '';
    // A new version: a KV v2 data write (undelete writes none).
    return rel.startsWith('data/');
  });
  const keyOf = (e: DetectorEvent) => {
    const secret = deletedSecret(e);
    return secret ? `${e.mount}${secret.path}` : null;
  };
  return windowed(dataWrites, keyOf, HISTORY_FLUSH_WINDOW_MS, KV_DEFAULT_MAX_VERSIONS).map((g) => {
    const e = g.events.at(-1)!;
    const byKey = new Map<string, DetectorEvent[]>();
    for (const w of g.events) {
      const k = identityKey(w) ?? w.ip;
      byKey.set(k, [...(byKey.get(k) ?? []), w]);
    }
    const labels = [...byKey.entries()].map(([k, evs]) => identityLabel(k, evs, names));
    const by = labels.map((l) => l.label).join(', ');
    return alert(
      'delete-without-approval',
      'red',
      `Secret history overwritten by ${by}: ${g.events.length} writes`,
      `${e.path} was written ${g.events.length} times within 24 hours: KV keeps ${KV_DEFAULT_MAX_VERSIONS} versions by default, so the value before these writes is gone as by a delete, without an approval.`,
      by,
      g.events,
      labels.flatMap((l) => l.users),
    );
  });
}

/** Each burst of entries whose console header contradicts what Vault did (per identity and header, 60 s apart at most). */
export function detectHeaderConflicts(conflicts: readonly DetectorEvent[], names?: EntityNames): AuditAlertView[] {
  return runs(conflicts.filter((e) => e.headerConflict), (e) => `${identityKey(e) ?? e.ip}|${e.consoleHeader ?? ''}|${e.action}`, 60_000).map((g) => {
    const e = g.events[0]!;
    const tag = parseConsoleTag(e.consoleHeader?.split(' | '));
    const { label, users } = identityLabel(identityKey(e) ?? e.ip, g.events, names);
    return alert(
      'header-contradiction',
      'red',
      `Header says "${tag?.action ?? '?'}" but Vault did ${e.action} (${e.operation ?? '?'}) for ${label}`,
      `${g.events.length} request${g.events.length === 1 ? '' : 's'} labelled "${tag?.action ?? e.consoleHeader ?? ''}" while Vault's record is ${e.action} on ${e.path}: the client's label contradicts what it did.`,
      label,
      g.events,
      users,
    );
  });
}

/** Raw storage, audit devices and audited headers, mount tuning and disabling, remounts, root generation. */
export function detectCritical(critical: readonly DetectorEvent[], names?: EntityNames): AuditAlertView[] {
  return runs(critical.filter((e) => e.action === 'sys-critical'), (e) => `${identityKey(e) ?? e.ip}|${e.path}`, 60_000).map((g) => {
    const e = g.events[0]!;
    const { label, users } = identityLabel(identityKey(e) ?? e.ip, g.events, names);
    return alert(
      'sys-critical',
      'red',
      `${e.operation ?? 'request'} on ${e.path} by ${label}`,
      `${g.events.length} request${g.events.length === 1 ? '' : 's'} (${[...new Set(g.events.map((x) => x.status))].join(', ')}) to a path that can change what the audit trail sees or read storage outside the KV API.`,
      label,
      g.events,
      users,
    );
  });
}

/**
 * Plaintext out of transit, per identity and key, runs an hour apart: the console's
 * backups are encrypted with a transit-wrapped data key, so decrypting it with a backup
 * in hand reads every secret in the backup without a single KV read. Yellow: restores
 * and drills do it too, and say so in the backup view.
 */
export function detectDecrypts(decrypts: readonly DetectorEvent[], names?: EntityNames): AuditAlertView[] {
  const rel = (e: DetectorEvent) => (e.mount ? e.path.slice(e.mount.length) : e.path);
  const keyOf = (e: DetectorEvent) => rel(e).replace(/^(decrypt|datakey\/plaintext|export\/[^/]+|backup)\//, '');
  // The key itself out (an export or a plaintext backup): every backup it wraps is open, now and later.
  const wholeKey = (e: DetectorEvent) => /^(export\/[^/]+|backup)\//.test(rel(e));
  return runs(
    decrypts.filter((e) => e.action === 'decrypt' && (e.status === 'ok' || e.status === 'pending')),
    (e) => `${identityKey(e) ?? e.ip}|${e.mount ?? ''}${keyOf(e)}|${wholeKey(e) ? 'key' : 'plaintext'}`,
    3_600_000,
  ).map((g) => {
    const e = g.events[0]!;
    const { label, users } = identityLabel(identityKey(e) ?? e.ip, g.events, names);
    const key = `${e.mount ?? ''}${keyOf(e)}`;
    if (wholeKey(e)) {
      return alert(
        'key-decrypt',
        'red',
        `Transit key ${key} taken out in plaintext by ${label}`,
        `${g.events.length} export${g.events.length === 1 ? '' : 's'} or plaintext backup${g.events.length === 1 ? '' : 's'} of transit key ${key} (${e.path}). Whoever holds this key material and a backup it wraps reads every secret in it, offline and for good: rotate the key and re-encrypt the backups.`,
        label,
        g.events,
        users,
      );
    }
    return alert(
      'key-decrypt',
      'yellow',
      `${g.events.length} decrypt${g.events.length === 1 ? '' : 's'} with transit key ${key} by ${label}`,
      `Plaintext out of transit key ${key}. If it wraps the backups' data keys, whoever holds a backup and this plaintext reads every secret in it without a KV read; expected during a restore or a drill.`,
      label,
      g.events,
      users,
    );
  });
}

const KIND_RANK: Record<AuditAlertView['kind'], number> = {
  'delete-without-approval': 0,
  'sys-critical': 1,
  'failed-auth-user': 2,
  'failed-auth-spray': 2,
  'failed-auth-ip': 3,
  'header-contradiction': 4,
  'bulk-reads': 5,
  'wide-reads': 5,
  'key-decrypt': 6,
  'off-hours': 7,
  'unclassified-events': 8,
};

/** All rules over one input, red first (deletes and audit-blinding changes before the rest), newest first. */
export function detectAlerts(input: DetectorInput, s: AlertSettings): AuditAlertView[] {
  const alerts = [
    ...detectFailedAuth(input.failed, s),
    ...detectBulkReads(input.reads, s, input.entityNames),
    ...detectWideReads(input.reads, s, input.entityNames),
    ...detectOffHours(input.offHours, s, input.entityNames),
    ...detectUnapprovedDeletes(input.deletes, input.approvalWrites, s),
    ...detectHistoryFlush(input.writes ?? [], input.entityNames),
    ...detectHeaderConflicts(input.conflicts, input.entityNames),
    ...detectCritical(input.critical, input.entityNames),
    ...detectDecrypts(input.decrypts ?? [], input.entityNames),
  ];
  const u = input.unclassified;
  if (u && u.count > 0 && u.first !== null && u.last !== null) {
    alerts.push({
      id: `unclassified-events:${u.first}`,
      kind: 'unclassified-events',
      severity: 'yellow',
      title: `${u.count.toLocaleString('en-US')} older events were classified by a client header`,
      detail: 'They were stored before this version, when the console header could set an event\'s action. Import the raw Vault audit logs of that period again: each event is then classified from Vault\'s record.',
      subject: 'audit store',
      users: [],
      from: new Date(u.first).toISOString(),
      to: new Date(u.last).toISOString(),
      eventCount: u.count,
      eventIds: u.ids.slice(0, MAX_IDS),
    });
  }
  return sortAlerts(alerts);
}

/**
 * Red first; within a colour, the kinds that matter most first (a flood of cheap
 * header contradictions never pushes a delete down the list), then newest first.
 */
export function sortAlerts(alerts: AuditAlertView[]): AuditAlertView[] {
  return alerts.sort((a, b) => {
    if (a.severity !== b.severity) return a.severity === 'red' ? -1 : 1;
    const r = KIND_RANK[a.kind] - KIND_RANK[b.kind];
    return r !== 0 ? r : b.to.localeCompare(a.to);
  });
}
