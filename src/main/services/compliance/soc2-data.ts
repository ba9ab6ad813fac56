// The numbers of the SOC 2 secret-access report for one period, computed from the audit
// store, the inventory index (Vault's metadata, synced), the backup catalog and Vault
// itself (admin identities, deletion approvals). Everything is sorted and no wall clock is
// read, so the same inputs give the same report, byte for byte. Definitions are in
// docs/compliance-reports.md; the test computes each figure independently.
import type { AuditAction, AuditAlertView } from '../../../shared/contracts/audit';
import type { Soc2Report } from '../../../shared/contracts/compliance';
import { SECRET_ACCESS_ACTIONS, SECRET_ACCESS_STATUSES, SECRET_VALUE_TYPES, secretAccessClass, type SecretAccessClass } from '../../../shared/audit/secret-access';
import type { RotatableType, RotationSchedules } from '../../../shared/rotation/rules';
import { placeOfLoggedPath, placeParser } from '../incident/logged-path';
import type { AuditAccessQueries, TimeRange } from '../storage/audit-access-queries';
import type { ComplianceQueries } from '../storage/compliance-queries';
import type { DeleteVerdict } from '../audit/approval-ledger';
import type { AdminIdentitiesResult } from './admin-identities';

export const DAY_MS = 86_400_000;
/** Rows listed per detail table (the totals always count everything). */
export const LIST_CAP = 1000;
export const AGE_BUCKETS: ReadonlyArray<{ label: string; max: number }> = [
  { label: '0-29 days', max: 30 },
  { label: '30-89 days', max: 90 },
  { label: '90-179 days', max: 180 },
  { label: '180-364 days', max: 365 },
  { label: '365+ days', max: Number.POSITIVE_INFINITY },
];
const TYPES: readonly RotatableType[] = ['ssh', 'smtp', 'dkim', 'api'];

export interface Soc2Inputs {
  period: TimeRange;
  mount: string;
  vaultAddress: string;
  access: AuditAccessQueries;
  compliance: ComplianceQueries;
  schedules: RotationSchedules;
  alerts: { alerts: AuditAlertView[]; total: number; red: number; yellow: number; partialSince: string | null };
  admins: AdminIdentitiesResult | null;
  /**
   * Vault's record of the tenant-secret deletes in the period (successful, oldest first)
   * with the approval ledger's verdict on each (audit/approval-ledger.ts: an approval
   * only from Vault's log of the approvals mount; the header's id approves nothing).
   */
  deletions: Array<{ id: number; ts: number; path: string; user: string; approvalId: string | null; verdict: DeleteVerdict | undefined }>;
}

const iso = (ms: number) => new Date(ms).toISOString();
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
export const ratio = (n: number, d: number): number | null => (d === 0 ? null : Math.round((n / d) * 10_000) / 10_000);

/** Vault-first: the count Vault logged for (identity, secret, class), else the console's own record of it. */
function merged(v: number, c: number): number {
  return v > 0 ? v : c;
}

interface IdentityTotals {
  reads: number;
  reveals: number;
  downloads: number;
  /** Indexes (into rels) of the secrets it accessed. */
  secrets: number[];
}

/**
 * Per identity: reads, reveals, downloads (vault-first per secret and class) and the secrets
 * accessed, from the covering index. Path ids are resolved once for all identities into
 * secret indexes (Vault's path and the console's relative path of one secret share one);
 * each identity's accesses are summed in typed arrays, not maps of objects.
 */
function accessTotals(inp: Soc2Inputs): { byUser: Map<string, IdentityTotals>; rels: string[] } {
  const actions = SECRET_ACCESS_ACTIONS as AuditAction[];
  // Class (0 read, 1 reveal, 2 download) of each action's position in `actions`.
  const CLASS_INDEX: Record<SecretAccessClass, number> = { read: 0, reveal: 1, download: 2 };
  const clsOf = actions.map((a) => CLASS_INDEX[secretAccessClass(a)!]);
  const parse = placeParser(inp.mount);
  // Path id → secret index * 2 (+1: the console's own record); -1: not counted.
  const places = new Map<number, number>();
  const rels: string[] = [];
  const relIndex = new Map<string, number>();
  const byUser = new Map<string, IdentityTotals>();
  for (const user of inp.access.users()) {
    const codes = inp.access.accessCodesOfUser(user, inp.period, actions, SECRET_ACCESS_STATUSES);
    if (codes.length === 0) continue;
    const fresh = new Set<number>();
    for (const code of codes) {
      const pid = Math.floor(code / 8);
      if (!places.has(pid)) fresh.add(pid);
    }
    if (fresh.size > 0) {
      const unknown = [...fresh];
      const paths = inp.access.paths(unknown);
      for (const id of unknown) {
        const place = parse(paths.get(id) ?? '');
        const counted = place && (SECRET_VALUE_TYPES as readonly string[]).includes(place.type) && (place.endpoint === null || place.endpoint === 'data') && (place.mount === null || place.mount === inp.mount);
        if (!counted) {
          places.set(id, -1);
          continue;
        }
        let i = relIndex.get(place.rel);
        if (i === undefined) {
          i = rels.length;
          rels.push(place.rel);
          relIndex.set(place.rel, i);
        }
        places.set(id, i * 2 + (place.console ? 1 : 0));
      }
    }
    // [secret][vault read, reveal, download, console read, reveal, download]
    const c = new Float64Array(rels.length * 6);
    const touched: number[] = [];
    for (const code of codes) {
      const ai = code % 8;
      const p = places.get((code - ai) / 8)!;
      if (p < 0) continue;
      const i = p >> 1;
      const base = i * 6;
      if (c[base]! + c[base + 1]! + c[base + 2]! + c[base + 3]! + c[base + 4]! + c[base + 5]! === 0) touched.push(i);
      c[base + (p & 1) * 3 + clsOf[ai]!]!++;
    }
    const t: IdentityTotals = { reads: 0, reveals: 0, downloads: 0, secrets: [] };
    for (const i of touched) {
      const b = i * 6;
      const read = merged(c[b]!, c[b + 3]!);
      const reveal = merged(c[b + 1]!, c[b + 4]!);
      const download = merged(c[b + 2]!, c[b + 5]!);
      if (read + reveal + download === 0) continue;
      t.reads += read;
      t.reveals += reveal;
      t.downloads += download;
      t.secrets.push(i);
    }
    if (t.secrets.length > 0) byUser.set(user, t);
  }
  return { byUser, rels };
}

export async function collectSoc2(inp: Soc2Inputs): Promise<Soc2Report> {
  const { period } = inp;
  const periodFrom = iso(period.from);
  const periodTo = iso(period.to);

  // ---- secret access ----
  const { byUser, rels } = accessTotals(inp);
  const tenantOfRel = (i: number) => rels[i]!.slice(0, rels[i]!.indexOf('/'));
  const byIdentity: Soc2Report['secretAccess']['byIdentity'] = [];
  const allSecrets = new Set<number>();
  const totals = { reads: 0, reveals: 0, downloads: 0 };
  for (const [user, t] of [...byUser.entries()].sort(([a], [b]) => cmp(a, b))) {
    for (const i of t.secrets) allSecrets.add(i);
    totals.reads += t.reads;
    totals.reveals += t.reveals;
    totals.downloads += t.downloads;
    byIdentity.push({ identity: user, reads: t.reads, reveals: t.reveals, downloads: t.downloads, secrets: t.secrets.length, tenants: new Set(t.secrets.map(tenantOfRel)).size });
  }
  const allTenants = new Set([...allSecrets].map(tenantOfRel));

  // Reveals and downloads in detail: who, which secret, how often, when, under which incident.
  interface Seen {
    count: number;
    first: number;
    last: number;
    incidents: Set<string>;
  }
  const seen = (): Seen => ({ count: 0, first: Number.POSITIVE_INFINITY, last: 0, incidents: new Set() });
  const detail = new Map<string, { identity: string; path: string; tenantId: string; type: string; action: 'reveal' | 'download'; vault: Seen; console: Seen }>();
  // Vault's record: a read the console header annotates as a reveal or a download (the read
  // itself counts as a read above, whatever the header says); the console's own records: its
  // action. Vault-first per (identity, secret, class), as for the counts.
  const readActions = (SECRET_ACCESS_ACTIONS as AuditAction[]).filter((a) => secretAccessClass(a) === 'read');
  const sources = [
    ...inp.access.annotated(period, readActions, SECRET_ACCESS_STATUSES).filter((d) => d.source === 'vault'),
    ...inp.access.ownRecords(period, (SECRET_ACCESS_ACTIONS as AuditAction[]).filter((a) => secretAccessClass(a) !== 'read'), SECRET_ACCESS_STATUSES),
  ];
  for (const d of sources) {
    const place = placeOfLoggedPath(d.path);
    const cls = d.consoleAction === 'reveal' || d.consoleAction === 'download' ? d.consoleAction : null;
    if (!place || cls === null || !(SECRET_VALUE_TYPES as readonly string[]).includes(place.type)) continue;
    if ((place.endpoint !== null && place.endpoint !== 'data') || (place.mount !== null && place.mount !== inp.mount)) continue;
    const key = `${d.user}\u0000${place.rel}\u0000${cls}`;
    let e = detail.get(key);
    if (!e) detail.set(key, (e = { identity: d.user, path: place.rel, tenantId: place.tenantId, type: place.type, action: cls, vault: seen(), console: seen() }));
    const side = d.source === 'vault' ? e.vault : e.console;
    side.count += d.count;
    side.first = Math.min(side.first, d.first);
    side.last = Math.max(side.last, d.last);
    if (d.incidentId) side.incidents.add(d.incidentId);
  }
  const detailRows = [...detail.values()]
    .sort((a, b) => cmp(a.identity, b.identity) || cmp(a.path, b.path) || cmp(a.action, b.action))
    .map((e) => {
      // Vault-first, as for the counts: Vault's entries when it logged any, else the console's record.
      const x = e.vault.count > 0 ? e.vault : e.console;
      const incidents = [...x.incidents].sort();
      return {
        identity: e.identity,
        path: e.path,
        tenantId: e.tenantId,
        type: e.type,
        action: e.action,
        count: x.count,
        first: iso(x.first),
        last: iso(x.last),
        incidents,
        why: incidents.length > 0 ? `incident ${incidents.join(', ')}` : 'no reason recorded',
      };
    });

  // Reveals and downloads per identity: the detail's vault-first counts (Vault's reads carry
  // no such class of their own; the header annotates them).
  {
    const rd = new Map<string, { reveals: number; downloads: number }>();
    for (const r of detailRows) {
      const x = rd.get(r.identity) ?? { reveals: 0, downloads: 0 };
      if (r.action === 'reveal') x.reveals += r.count;
      else x.downloads += r.count;
      rd.set(r.identity, x);
    }
    totals.reveals = 0;
    totals.downloads = 0;
    for (const row of byIdentity) {
      const x = rd.get(row.identity) ?? { reveals: 0, downloads: 0 };
      row.reveals = x.reveals;
      row.downloads = x.downloads;
      totals.reveals += x.reveals;
      totals.downloads += x.downloads;
    }
  }

  // ---- rotation compliance at period end ----
  const asOf = period.to;
  const byType = new Map<RotatableType, { secrets: number; within: number; overdue: number; ages: number[] }>();
  for (const t of TYPES) byType.set(t, { secrets: 0, within: 0, overdue: 0, ages: AGE_BUCKETS.map(() => 0) });
  const overdueList: Soc2Report['rotation']['overdue'] = [];
  let overdueTotal = 0;
  for (const s of inp.compliance.rotationFacts(TYPES)) {
    const type = s.type as RotatableType;
    if (s.status === 'revoked') continue;
    const last = lastRotationAt(s.lastRotated, s.versionsJson, asOf);
    if (last === null) continue; // it did not exist yet at period end
    const daysRaw = Number(s.rotationDays);
    const days = Number.isInteger(daysRaw) && daysRaw > 0 ? daysRaw : inp.schedules.days[type];
    const b = byType.get(type)!;
    b.secrets++;
    const ageDays = Math.floor((asOf - last) / DAY_MS);
    const bucket = AGE_BUCKETS.findIndex((x) => ageDays < x.max);
    b.ages[bucket]!++;
    if (asOf > last + days * DAY_MS) {
      b.overdue++;
      overdueTotal++;
      if (overdueList.length < LIST_CAP) overdueList.push({ path: s.path, type, lastRotated: iso(last), dueSince: iso(last + days * DAY_MS) });
    } else b.within++;
  }
  const rotationByType = TYPES.map((t) => {
    const b = byType.get(t)!;
    return { type: t, secrets: b.secrets, withinSchedule: b.within, overdue: b.overdue, shareWithinSchedule: ratio(b.within, b.secrets), periodDays: inp.schedules.days[t], ageBuckets: AGE_BUCKETS.map((x, i) => ({ label: x.label, count: b.ages[i]! })) };
  });
  const rotTotal = rotationByType.reduce((s, r) => s + r.secrets, 0);
  const rotWithin = rotationByType.reduce((s, r) => s + r.withinSchedule, 0);

  // ---- emergency resets: Vault's record of each reset's data write, which the console
  // header annotates as an emergency reset with its incident ----
  const resets = inp.access.annotatedEvents(period, ['write'], 200_000).filter((e) => e.source === 'vault' && e.status === 'ok' && e.consoleAction === 'emergency-reset' && placeOfLoggedPath(e.path)?.endpoint === 'data');
  const consoleResets = inp.access.eventsOf(['emergency-reset'], period, 200_000).events.filter((e) => e.source === 'console' && e.status === 'ok').length;
  const byIncident = new Map<string, number>();
  for (const r of resets) byIncident.set(r.incidentId ?? '(none)', (byIncident.get(r.incidentId ?? '(none)') ?? 0) + 1);

  // ---- deletions (Vault's log) with requester and approver (Vault's log of the approvals mount) ----
  const deletes = inp.deletions;
  const approvedCount = deletes.filter((d) => d.verdict?.approved === true).length;
  const deletionRows = deletes.slice(0, LIST_CAP).map((d) => {
    const v = d.verdict;
    return {
      at: iso(d.ts),
      path: placeOfLoggedPath(d.path)?.rel ?? d.path,
      deletedBy: d.user,
      approvalId: v?.approved ? v.approvalId : null,
      headerApprovalId: d.approvalId,
      requestedBy: v?.approved ? v.requestedBy : null,
      approvedBy: v?.approved ? v.approvedBy : null,
      notApproved: v?.approved ? null : (v?.reason ?? 'not judged'),
    };
  });

  // ---- backups ----
  const runs = inp.compliance.backupRuns(periodFrom, periodTo);
  const success = (r: { status: string; sha256: string | null }) => r.status === 'completed' || (r.status === 'deleted' && r.sha256 !== null);
  const attempts = runs.filter((r) => r.status !== 'running');
  const ok = attempts.filter(success);
  let gap = { hours: null as number | null, from: null as string | null, to: null as string | null };
  {
    let prev = period.from;
    let best = -1;
    const points = ok.map((r) => Date.parse(r.finishedAt ?? r.startedAt)).filter((t) => t >= period.from && t <= period.to).sort((a, b) => a - b);
    for (const t of [...points, period.to]) {
      if (t - prev > best) {
        best = t - prev;
        gap = { hours: Math.round((best / 3_600_000) * 100) / 100, from: iso(prev), to: iso(t) };
      }
      prev = t;
    }
  }
  const drills = inp.compliance.drillsBetween(periodFrom, periodTo);

  // ---- failed sign-ins and alerts ----
  const failed = inp.access.failedLogins(period, 10);

  return {
    format: 'vault-console-soc2-secret-access',
    version: 1,
    period: { from: periodFrom, to: periodTo },
    vault: { address: inp.vaultAddress, mount: inp.mount },
    secretAccess: {
      totals: { ...totals, identities: byIdentity.length, secrets: allSecrets.size, tenants: allTenants.size },
      byIdentity,
      revealsAndDownloads: { total: detailRows.length, rows: detailRows.slice(0, LIST_CAP) },
    },
    rotation: {
      asOf: iso(asOf),
      byType: rotationByType,
      total: { secrets: rotTotal, withinSchedule: rotWithin, overdue: rotTotal - rotWithin, shareWithinSchedule: ratio(rotWithin, rotTotal) },
      overdueTotal,
      overdue: overdueList,
    },
    emergencyResets: {
      total: resets.length,
      consoleRecords: consoleResets,
      byIncident: [...byIncident.entries()].sort(([a], [b]) => cmp(a, b)).map(([incidentId, resets]) => ({ incidentId, resets })),
      rows: resets.slice(0, LIST_CAP).map((r) => ({ at: iso(r.ts), path: placeOfLoggedPath(r.path)?.rel ?? r.path, by: r.user, incidentId: r.incidentId })),
    },
    deletions: {
      total: deletes.length,
      withApproval: approvedCount,
      withoutApproval: deletes.length - approvedCount,
      rows: deletionRows,
    },
    backups: {
      attempts: attempts.length,
      succeeded: ok.length,
      failed: attempts.length - ok.length,
      successRate: ratio(ok.length, attempts.length),
      largestGapHours: gap.hours,
      largestGapFrom: gap.from,
      largestGapTo: gap.to,
      drills: drills.map((d) => ({ backupId: d.id, verifiedAt: d.verifiedAt, result: 'verified' as const })),
    },
    adminIdentities: inp.admins
      ? { checked: true, complete: inp.admins.complete, notes: inp.admins.notes, policies: inp.admins.policies, identities: inp.admins.identities }
      : { checked: false, complete: false, notes: ['Signed out: Vault was not asked for the identities with admin policies.'], policies: [], identities: [] },
    failedLogins: failed,
    alerts: {
      total: inp.alerts.total,
      red: inp.alerts.red,
      yellow: inp.alerts.yellow,
      partialSince: inp.alerts.partialSince,
      rows: inp.alerts.alerts.map((a) => ({ kind: a.kind, severity: a.severity, title: a.title, subject: a.subject, from: a.from, to: a.to, events: a.eventCount })),
    },
  };
}

/**
 * When the secret was last rotated at `asOf`: its last_rotated when that is not later,
 * else the creation time of the newest version written by then (a later rotation wrote
 * newer versions); null when no version existed yet.
 */
export function lastRotationAt(lastRotated: string | null, versionsJson: string, asOf: number): number | null {
  const lr = lastRotated ? Date.parse(lastRotated) : Number.NaN;
  if (Number.isFinite(lr) && lr <= asOf) return lr;
  let versions: Array<{ createdTime?: string }> = [];
  try {
    versions = JSON.parse(versionsJson) as Array<{ createdTime?: string }>;
  } catch {
    versions = [];
  }
  let best: number | null = null;
  for (const v of versions) {
    const t = Date.parse(v.createdTime ?? '');
    if (Number.isFinite(t) && t <= asOf && (best === null || t > best)) best = t;
  }
  return best;
}
