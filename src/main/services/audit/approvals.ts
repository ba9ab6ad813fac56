// Second-admin approval for deleting a tenant secret. The request and the
// approval are kept in Vault (KV v2 mount "<kv mount>-approvals", path
// requests/<id>), so they are shared by every console, survive a reinstall, and
// are themselves in Vault's audit log. Writes use check-and-set, so two admins
// can never both approve or both consume one approval. The delete carries the
// approval id in the audited header as a hint; what makes it approved is Vault's
// record of the request and approval writes (approval-ledger.ts), never the header
// and never what the record itself claims about who requested or approved it.
import { randomBytes } from 'node:crypto';
import { normalizeUser, type ApprovalView } from '../../../shared/contracts/audit';
import { AppError } from '../../../shared/errors';
import type { Logger } from '../log/logger';
import type { SessionInfo } from '../session/session-types';
import type { Clock } from '../time/clock';
import { encodeKvPath, encodeMount } from '../vault/kv';
import type { VaultClient } from '../vault/vault-client';
import { taggedRequest, type AuditRecorder } from './audit-recorder';
import { tenantOf } from './path-info';
import { bumpTenantStamps } from '../vault/tenant-stamps';

interface StoredApproval {
  path: string;
  reason: string;
  requested_by: string;
  requested_entity: string;
  requested_at: string;
  status: 'pending' | 'approved' | 'used';
  approved_by?: string;
  approved_entity?: string;
  approved_at?: string;
  used_at?: string;
}

export interface ApprovalDeps {
  client: () => VaultClient;
  session: () => SessionInfo;
  recorder: AuditRecorder;
  clock: Clock;
  log: Logger;
  kvMount: () => string;
  /** How long after its approval an approval is good for the delete. */
  validForMs: () => number;
}

export function approvalsMount(kvMount: string): string {
  return `${kvMount}-approvals`;
}

export class DeletionApprovals {
  constructor(private readonly deps: ApprovalDeps) {}

  private base(): string {
    return encodeMount(approvalsMount(this.deps.kvMount()));
  }

  private who(): { user: string; entity: string } {
    const s = this.deps.session();
    // Compared as Vault compares them: entity, else the case-folded name.
    return { user: normalizeUser(s.username ?? s.displayName), entity: s.entityId ?? '' };
  }

  async list(): Promise<ApprovalView[]> {
    const c = this.deps.client();
    let keys: string[] = [];
    try {
      const r = await c.request<{ data?: { keys?: string[] } }>('LIST', `${this.base()}/metadata/requests`);
      keys = r?.data?.keys ?? [];
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return [];
      throw err;
    }
    const out: ApprovalView[] = [];
    for (const id of keys.filter((k) => /^apr-[0-9a-f]{16}$/.test(k)).slice(0, 200)) {
      const a = await this.read(id);
      if (a) out.push(toView(id, a.data));
    }
    return out.sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
  }

  async request(path: string, reason: string): Promise<ApprovalView> {
    const rel = encodeKvPath(path);
    if (!tenantOf(path)) throw new AppError('BAD_INPUT', 'Only tenant secrets (t-NNNNNN/...) can be deleted through an approval.');
    const id = `apr-${randomBytes(8).toString('hex')}`;
    const me = this.who();
    const data: StoredApproval = {
      path: decodeURIComponent(rel),
      reason,
      requested_by: me.user,
      requested_entity: me.entity,
      requested_at: new Date(this.deps.clock.now()).toISOString(),
      status: 'pending',
    };
    await this.write(id, data, 0, 'request-approval');
    this.deps.log.info(`deletion approval ${id} requested for ${data.path}`);
    return toView(id, data);
  }

  async approve(id: string): Promise<ApprovalView> {
    const cur = await this.mustRead(id);
    if (cur.data.status !== 'pending') throw new AppError('CONFLICT', `Approval ${id} is ${cur.data.status}, not pending.`);
    const me = this.who();
    // Four eyes: the requester can never approve their own deletion.
    if (me.user === normalizeUser(cur.data.requested_by) || (me.entity !== '' && me.entity === cur.data.requested_entity)) {
      throw new AppError('PERMISSION_DENIED', 'A second admin must approve: you requested this deletion.');
    }
    const next: StoredApproval = { ...cur.data, status: 'approved', approved_by: me.user, approved_entity: me.entity, approved_at: new Date(this.deps.clock.now()).toISOString() };
    await this.write(id, next, cur.version, 'approve');
    this.deps.log.info(`deletion approval ${id} approved`);
    return toView(id, next);
  }

  /** Deletes the secret (all versions and metadata) under an approved request, once. */
  async deleteSecret(id: string): Promise<ApprovalView> {
    const cur = await this.mustRead(id);
    if (cur.data.status !== 'approved') throw new AppError('CONFLICT', `Approval ${id} is ${cur.data.status}; a second admin must approve it first.`);
    // Four eyes end to end: whoever approved cannot also run the delete (the alert
    // rule flags a delete whose only approval is the deleter's own).
    const me = this.who();
    if (me.user === normalizeUser(cur.data.approved_by ?? '') || (me.entity !== '' && me.entity === cur.data.approved_entity)) {
      throw new AppError('PERMISSION_DENIED', 'You approved this deletion: the requester (or another admin) runs it.');
    }
    const approvedAt = Date.parse(cur.data.approved_at ?? '');
    if (!Number.isFinite(approvedAt) || this.deps.clock.now() - approvedAt > this.deps.validForMs()) {
      throw new AppError('CONFLICT', `Approval ${id} has expired (an approval is good for ${Math.round(this.deps.validForMs() / 3_600_000)} h); request the deletion again.`);
    }
    // Consume the approval first (CAS), so a second click or console cannot reuse it.
    const used: StoredApproval = { ...cur.data, status: 'used', used_at: new Date(this.deps.clock.now()).toISOString() };
    await this.write(id, used, cur.version, null);
    const tag = this.deps.recorder.begin('delete', { path: cur.data.path, approvalId: id });
    try {
      await taggedRequest(this.deps.client(), tag, 'DELETE', `${encodeMount(this.deps.kvMount())}/metadata/${encodeKvPath(cur.data.path)}`);
    } catch (err) {
      this.deps.recorder.finish(tag, 'error', err instanceof AppError ? err.message : 'delete failed');
      throw err;
    }
    this.deps.recorder.finish(tag, 'ok');
    // The writers' rule (docs/vault-layout.md): stamp the tenant, so every console's next
    // incremental inventory sync drops the deleted secret.
    const stamped = await bumpTenantStamps(this.deps.client(), this.deps.kvMount(), [tenantOf(cur.data.path)!], new Date(this.deps.clock.now()).toISOString());
    if (stamped.failed.length > 0) this.deps.log.warn(`tenant change stamp not written after deleting ${cur.data.path}; the next full inventory sync picks it up`);
    this.deps.log.info(`tenant secret ${cur.data.path} deleted under approval ${id}`);
    return toView(id, used);
  }

  /** The secret a request names (the permission guard checks delete on it before anything runs). */
  async pathOf(id: string): Promise<string> {
    return (await this.mustRead(id)).data.path;
  }

  private async read(id: string): Promise<{ version: number; data: StoredApproval } | null> {
    try {
      const r = await this.deps.client().request<{ data?: { data?: StoredApproval; metadata?: { version?: number } } }>('GET', `${this.base()}/data/requests/${encodeKvPath(id)}`);
      const d = r?.data;
      return d?.data ? { version: d.metadata?.version ?? 0, data: d.data } : null;
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return null;
      throw err;
    }
  }

  private async mustRead(id: string): Promise<{ version: number; data: StoredApproval }> {
    const a = await this.read(id);
    if (!a) throw new AppError('NOT_FOUND', `No deletion request ${id}.`);
    return a;
  }

  /** action null: bookkeeping write (consuming an approval) that is not itself a console action. */
  private async write(id: string, data: StoredApproval, cas: number, action: 'request-approval' | 'approve' | null): Promise<void> {
    const tag = action ? this.deps.recorder.begin(action, { path: data.path, approvalId: id }) : null;
    try {
      await taggedRequest(this.deps.client(), tag ?? { headers: {} }, 'POST', `${this.base()}/data/requests/${encodeKvPath(id)}`, { data, options: { cas } });
    } catch (err) {
      if (tag) this.deps.recorder.finish(tag, 'error', err instanceof AppError ? err.message : 'write failed');
      if (err instanceof AppError && err.code === 'CONFLICT') throw new AppError('CONFLICT', `Approval ${id} was changed by someone else; reload and try again.`);
      throw err;
    }
    if (tag) this.deps.recorder.finish(tag, 'ok');
  }
}

function toView(id: string, a: StoredApproval): ApprovalView {
  return {
    id,
    path: a.path,
    tenant: tenantOf(a.path),
    reason: a.reason,
    requestedBy: a.requested_by,
    requestedAt: a.requested_at,
    status: a.status,
    approvedBy: a.approved_by ?? null,
    approvedAt: a.approved_at ?? null,
  };
}
