// Which deletes an approval covers, from Vault's record only (pure; the detector
// and the watch service use it). An approval is good for one delete when Vault's
// audit log shows, for one record `<kv mount>-approvals/data/requests/<id>`:
//  1. the request: a successful write creating it with status "pending" and a
//     secret path, by identity R;
//  2. the approval: a later successful write of that record with status "approved"
//     and the same path, by identity A, where A and R are identities (each has an
//     entity) and not the same one, and A's token held the approving policy;
//  3. the delete: a delete of that secret path in `<kv mount>`, after the approval
//     and within its validity, by anyone but A, and the first delete to use it.
// Who wrote, when, with which policies and which KV version are Vault's record in
// the log. The record's status and path are taken from the log when the approvals
// mount logs them unhashed (audit_non_hmac_request_keys), else from Vault's own
// copy of that KV version (read back by the audit service while signed in). What
// the record says about who requested or approved it is never used: any writer
// can put any name there. The console header's approval id is only a hint of which
// approval a delete meant; it approves nothing by itself. A KV version claimed by two
// writes approves nothing (one of them is not Vault's: a line posted to a log store).
import { cleanSegments } from './audit-mapping';
import type { ApprovalWrite, AuditRecord } from './audit-record';
import { sameIdentity } from './identity';

export type LedgerEvent = Pick<AuditRecord, 'ts' | 'user' | 'entityId' | 'status' | 'path' | 'mount' | 'approvalId' | 'approvalWrite' | 'action'> & { id: number };

export interface ApprovalRules {
  approverPolicy: string;
  approvalValidHours: number;
}

interface Grant {
  id: string;
  /** `<kv mount>-approvals/` (with namespace). */
  mount: string;
  path: string | null;
  request: LedgerEvent | null;
  approval: LedgerEvent | null;
  /** Why it approves nothing (empty: it is good for one delete). */
  problems: string[];
  usedBy: LedgerEvent | null;
}

/** requestedBy / approvedBy: the identities Vault's log shows writing the request and the approval (reports). */
export type DeleteVerdict = { approved: true; approvalId: string; requestedBy: string; approvedBy: string } | { approved: false; reason: string };

const KV_ENDPOINTS = new Set(['data', 'metadata', 'delete', 'destroy']);

/** The secret a KV delete removes ("t-000042/ssh/admin") and the mount that holds its approvals; null when unknown. */
export function deletedSecret(e: Pick<AuditRecord, 'path' | 'mount'>): { approvalsMount: string; path: string } | null {
  if (!e.mount || !e.path.startsWith(e.mount)) return null;
  const segs = cleanSegments(e.path.slice(e.mount.length));
  if (segs.length > 0 && KV_ENDPOINTS.has(segs[0]!)) segs.shift();
  if (segs.length === 0) return null;
  return { approvalsMount: `${e.mount.replace(/\/+$/, '')}-approvals/`, path: segs.join('/') };
}

/**
 * A record's secret path, only in its one spelling: "a/../b", "a//b", "./a" or a
 * trailing slash would show the approver one path and delete another.
 */
function normalPath(p: string | null): string | null {
  if (p === null) return null;
  const clean = cleanSegments(p).join('/');
  return clean === p ? clean : null;
}

function who(e: LedgerEvent): string {
  return e.user || (e.entityId ? `entity ${e.entityId.slice(0, 8)}` : 'an unknown caller');
}

function buildGrants(writes: readonly LedgerEvent[], rules: ApprovalRules): Map<string, Grant> {
  const byId = new Map<string, LedgerEvent[]>();
  for (const w of writes) {
    const a = w.approvalWrite;
    if (!a || w.status !== 'ok') continue;
    const k = `${a.mount}|${a.approvalId}`;
    const list = byId.get(k) ?? [];
    list.push(w);
    byId.set(k, list);
  }
  const grants = new Map<string, Grant>();
  for (const [k, list] of byId) {
    list.sort((x, y) => x.ts - y.ts || x.id - y.id);
    const first = list[0]!.approvalWrite!;
    const g: Grant = { id: first.approvalId, mount: first.mount, path: null, request: null, approval: null, problems: [], usedBy: null };
    const content = (w: LedgerEvent): ApprovalWrite => w.approvalWrite!;
    // Vault creates each KV version by one write: a version claimed by two lines means one of
    // them is not Vault's (a line posted to a log store), and which one cannot be told.
    const versions = list.map((w) => content(w).version).filter((v): v is number => v !== null);
    const twice = versions.find((v, i) => versions.indexOf(v) !== i);
    if (twice !== undefined) {
      g.problems.push(`the log shows version ${twice} of its record written twice (a line that is not Vault's record)`);
      grants.set(k, g);
      continue;
    }
    const request = list.find((w) => content(w).recordStatus === 'pending');
    const unknown = list.filter((w) => content(w).recordStatus === null);
    if (!request) {
      g.problems.push(
        unknown.length
          ? 'its record is HMAC\'d in Vault\'s log and was not read back from Vault (sign in, or have the approvals mount log "path" and "status" unhashed)'
          : 'Vault\'s log shows no request for it (a first write with status "pending")',
      );
      grants.set(k, g);
      continue;
    }
    // The request must be the record's first version: a later "pending" write is a reset, not a request.
    if (content(request).version !== null && content(request).version !== 1) g.problems.push(`its request is version ${content(request).version}, not the record's first`);
    g.request = request;
    g.path = normalPath(content(request).recordPath);
    if (!g.path) g.problems.push(`its request names no secret path in its one spelling (${JSON.stringify((content(request).recordPath ?? '').slice(0, 80))})`);
    const approval = list.find((w) => w.ts >= request.ts && w !== request && content(w).recordStatus === 'approved');
    if (!approval) {
      g.problems.push(unknown.length ? 'part of its record is HMAC\'d in the log and was not read back from Vault' : 'it was never approved');
      grants.set(k, g);
      continue;
    }
    g.approval = approval;
    const approvedPath = normalPath(content(approval).recordPath);
    if (approvedPath !== g.path) g.problems.push(`it was approved for ${approvedPath ?? 'no path'}, not ${g.path ?? 'the requested path'}`);
    if (!request.entityId) g.problems.push(`its requester ${who(request)} has no Vault identity (a token, not a person)`);
    if (!approval.entityId) g.problems.push(`its approver ${who(approval)} has no Vault identity (a token, not a person)`);
    if (sameIdentity(request, approval)) g.problems.push(`${who(approval)} approved their own request`);
    if (!content(approval).policies.includes(rules.approverPolicy)) g.problems.push(`its approver ${who(approval)} does not hold the approving policy ${rules.approverPolicy}`);
    grants.set(k, g);
  }
  return grants;
}

/**
 * Verdicts for deletes (Vault's record, any order) against the approval writes in
 * Vault's log. Deletes are taken oldest first, so an approval goes to the first
 * delete it covers and never to a second one.
 */
export function judgeDeletes(deletes: readonly LedgerEvent[], writes: readonly LedgerEvent[], rules: ApprovalRules): Map<number, DeleteVerdict> {
  const grants = buildGrants(writes, rules);
  const byPath = new Map<string, Grant[]>();
  for (const g of grants.values()) {
    if (!g.path) continue;
    const k = `${g.mount}|${g.path}`;
    const list = byPath.get(k) ?? [];
    list.push(g);
    byPath.set(k, list);
  }
  const validMs = rules.approvalValidHours * 3_600_000;
  const out = new Map<number, DeleteVerdict>();
  for (const d of [...deletes].sort((x, y) => x.ts - y.ts || x.id - y.id)) {
    const secret = deletedSecret(d);
    const named = d.approvalId ? grants.get(`${secret?.approvalsMount ?? ''}|${d.approvalId}`) : undefined;
    if (!secret) {
      out.set(d.id, { approved: false, reason: 'its secret path and mount are not known (an event stored before this version: import the raw log again)' });
      continue;
    }
    const why = (g: Grant): string | null => {
      if (g.problems.length) return g.problems[0]!;
      if (g.path !== secret.path) return `it is for ${g.path}, not ${secret.path}`;
      if (g.approval!.ts > d.ts) return `it was approved only at ${new Date(g.approval!.ts).toISOString()}, after the delete`;
      if (d.ts - g.approval!.ts > validMs) return `it expired ${rules.approvalValidHours} h after its approval at ${new Date(g.approval!.ts).toISOString()}`;
      if (g.usedBy) return `it was used by an earlier delete at ${new Date(g.usedBy.ts).toISOString()}`;
      if (sameIdentity(d, g.approval!)) return `${who(d)} approved it and cannot also run the delete`;
      return null;
    };
    const candidates = (byPath.get(`${secret.approvalsMount}|${secret.path}`) ?? []).sort((a, b) => (a.approval?.ts ?? 0) - (b.approval?.ts ?? 0));
    const pick = named && why(named) === null ? named : candidates.find((g) => why(g) === null);
    if (pick) {
      pick.usedBy = d;
      out.set(d.id, { approved: true, approvalId: pick.id, requestedBy: who(pick.request!), approvedBy: who(pick.approval!) });
      continue;
    }
    let reason: string;
    if (named) reason = `approval ${named.id} does not cover it: ${why(named)}`;
    else if (d.approvalId) reason = `the approval ${d.approvalId} its header names is not in Vault's record of ${secret.approvalsMount}`;
    else if (candidates.length) reason = `approval ${candidates[0]!.id} does not cover it: ${why(candidates[0]!)}`;
    else {
      // Records whose content is not known yet (HMAC'd, or on VictoriaLogs not yet read back) may be for this path.
      const unread = [...grants.values()].filter((g) => g.mount === secret.approvalsMount && g.path === null && g.problems.some((p) => p.includes('not read back from Vault'))).length;
      reason = unread
        ? `Vault's record of ${secret.approvalsMount} has no approval for ${secret.path} that the console could read: ${unread} approval record${unread === 1 ? ' was' : 's were'} not read back from Vault (sign in)`
        : `Vault's record of ${secret.approvalsMount} has no approval for ${secret.path}`;
    }
    out.set(d.id, { approved: false, reason });
  }
  return out;
}
