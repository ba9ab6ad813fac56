// Every reveal, copy, close, failed re-authentication and lockout is an audit event
// (who, tenant, secret type, time). The service talks to this small interface; the
// adapter below writes through the audit feature's AuditRecorder.
import { randomBytes } from 'node:crypto';
import { AUDIT_ACTIONS, type AuditAction, type AuditStatus } from '../../../shared/contracts/audit';
import type { AuditRecorder } from '../audit/audit-recorder';
import type { ConsoleAction } from '../audit/console-header';
import type { Logger } from '../log/logger';

export type RevealAuditKind = 'copy' | 'close' | 'reauth-failed' | 'lockout';

export interface RevealAuditTag {
  /** Headers for the Vault read, so Vault's own log names the console action. */
  headers: Record<string, string>;
  finish(status: AuditStatus, error?: string): void;
}

export interface RevealAudit {
  beginReveal(path: string): RevealAuditTag;
  /** detail: a short, value-free word (the field copied, the close reason, the failed factor). */
  record(kind: RevealAuditKind, path: string, status: AuditStatus, detail: string): void;
}

/**
 * copy, close and lockout are audit actions of their own; a failed re-auth factor is
 * stored as 'failed-login'. The detail (which field, why closed) goes in the request id
 * (vc-reveal-copy-password-<hex>), value-free, so it stays searchable.
 */
export function recorderRevealAudit(recorder: AuditRecorder, log: Logger): RevealAudit {
  const known = (a: string): a is AuditAction => (AUDIT_ACTIONS as readonly string[]).includes(a);
  return {
    beginReveal(path) {
      const tag = recorder.begin('reveal', { path });
      log.info(`reveal ${path} begin req=${tag.requestId}`);
      return { headers: tag.headers, finish: (status, error) => recorder.finish(tag, status, error) };
    },
    record(kind, path, status, detail) {
      const action: AuditAction = known(kind) ? kind : kind === 'reauth-failed' ? 'failed-login' : 'other';
      const safe = detail.replace(/[^A-Za-z0-9-]/g, '').slice(0, 24);
      const requestId = `vc-reveal-${kind}-${safe}-${randomBytes(6).toString('hex')}`;
      log.info(`${kind} ${path} ${safe} (${status}) req=${requestId}`);
      // The recorder types its actions to the console's own set; these are audit actions it stores as given.
      recorder.record({ action: action as ConsoleAction, path, status, requestId });
    },
  };
}

/** For the CLI and tests without the audit feature: one log line per event. */
export function logRevealAudit(log: Logger): RevealAudit {
  return {
    beginReveal(path) {
      return { headers: {}, finish: (status) => log.info(`[audit] reveal ${path} (${status})`) };
    },
    record(kind, path, status, detail) {
      log.info(`[audit] ${kind} ${path} ${detail.replace(/[^A-Za-z0-9-]/g, '')} (${status})`);
    },
  };
}
