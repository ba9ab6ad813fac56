// The console's own action events (rotate, reveal, download, revoke, emergency
// reset, delete, approvals). Other features call:
//
//   const tag = recorder.begin('rotate', { path: 't-000042/ssh/admin' });
//   await taggedRequest(client, tag, 'POST', 'tenants/data/t-000042/ssh/admin', body);
//   recorder.finish(tag, 'ok');            // or recorder.finish(tag, 'error', err.message)
//
// begin() gives a request id and the audited header, so Vault's own log names the
// action too (joined by req=<id>). Records are paths and ids, never a value.
import { randomBytes } from 'node:crypto';
import { normalizeUser, type AuditStatus } from '../../../shared/contracts/audit';
import { AppError } from '../../../shared/errors';
import type { AuditRepo } from '../storage/audit-repo';
import type { Clock } from '../time/clock';
import type { VaultClient } from '../vault/vault-client';
import type { AuditRecord } from './audit-record';
import { formatConsoleTag, newConsoleTag, type ConsoleAction } from './console-header';
import { secretTypeOf, tenantOf } from './path-info';

export interface ActionTag {
  action: ConsoleAction;
  requestId: string;
  path: string;
  approvalId: string | null;
  /** The incident the action is made under (an annotation in the header, like the approval id). */
  incidentId: string | null;
  startedAt: number;
  /** Set with VaultClient.setHeaders or pass to taggedRequest. */
  headers: Record<string, string>;
}

export interface Actor {
  user: string;
  entityId?: string | null;
}

export class AuditRecorder {
  constructor(
    private readonly repo: AuditRepo,
    private readonly clock: Clock,
    private readonly actor: () => Actor,
  ) {}

  begin(action: ConsoleAction, opts: { path: string; approvalId?: string; incidentId?: string }): ActionTag {
    const { requestId, headers } = newConsoleTag(action, opts.approvalId, opts.incidentId);
    return { action, requestId, path: opts.path, approvalId: opts.approvalId ?? null, incidentId: opts.incidentId ?? null, startedAt: this.clock.now(), headers };
  }

  /** Stores the console's record of the action; returns its row id. */
  finish(tag: ActionTag, status: AuditStatus, error?: string): void {
    this.record({ action: tag.action, path: tag.path, status, requestId: tag.requestId, approvalId: tag.approvalId, incidentId: tag.incidentId, error: error ?? null, ts: tag.startedAt });
  }

  /** Direct record for actions that make no Vault request of their own. */
  record(e: { action: ConsoleAction; path: string; status: AuditStatus; requestId?: string; approvalId?: string | null; incidentId?: string | null; error?: string | null; ts?: number }): AuditRecord {
    const requestId = e.requestId ?? `vc-${randomBytes(8).toString('hex')}`;
    const actor = this.actor();
    const rec: AuditRecord = {
      key: `c:${requestId}:${e.action}`,
      ts: e.ts ?? this.clock.now(),
      action: e.action,
      tenant: tenantOf(e.path),
      user: normalizeUser(actor.user),
      secretType: secretTypeOf(e.path),
      // The console's own records come from this machine; Vault's entry has the IP it saw.
      ip: 'console',
      status: e.status,
      path: e.path,
      source: 'console',
      requestId,
      approvalId: e.approvalId ?? null,
      error: e.error ? e.error.slice(0, 300) : null,
      // The console's own statement: Vault's entry of the same request (joined by req=<id>) says what Vault did.
      operation: null,
      mount: null,
      entityId: actor.entityId ?? null,
      // An incident the action was made under is kept the way Vault's entry keeps it: as the
      // header's annotation (reports list it; it decides nothing). Other records keep none.
      consoleHeader: e.incidentId ? formatConsoleTag({ action: e.action, req: requestId, ...(e.approvalId ? { approval: e.approvalId } : {}), incident: e.incidentId }) : null,
      headerConflict: false,
    };
    // Fail closed: if the record cannot be written, the caller's action reports failure.
    try {
      this.repo.insertMany([rec]);
    } catch (err) {
      throw new AppError('INTERNAL', 'The audit record could not be written; the action is reported as failed.', { cause: err });
    }
    return rec;
  }
}

/** One Vault request carrying the console's audited header. */
export function taggedRequest<T = unknown>(client: VaultClient, tag: Pick<ActionTag, 'headers'>, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  return client.request<T>(method, path, body, { headers: tag.headers });
}
