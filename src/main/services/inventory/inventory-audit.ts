// Key downloads and API key revocations as console audit events, through the audit
// feature's AuditRecorder. Fail closed: if the record cannot be written the recorder
// throws, and the inventory reports the action as failed.
import type { AuditRecorder } from '../audit/audit-recorder';
import type { InventoryAuditHook } from './inventory-service';

export function recorderInventoryAudit(recorder: AuditRecorder): InventoryAuditHook {
  return {
    record(e) {
      const status = e.outcome === 'ok' ? 'ok' : 'error';
      const error = e.outcome === 'cancelled' ? 'cancelled by the user' : e.outcome === 'failed' ? (e.detail ?? 'failed') : null;
      recorder.record({ action: e.action, path: e.path, status, error, ts: Date.parse(e.at), ...(e.requestId ? { requestId: e.requestId } : {}) });
    },
  };
}
