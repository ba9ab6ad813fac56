// Rotate, emergency-reset and grace retirement as console audit events, through the audit
// feature's AuditRecorder: the Vault write carries the audited action header, and the
// record (path, who, ok/error) is written when the action ends. Fail closed: if the record
// cannot be written, the recorder throws and the action is reported as failed.
import { randomBytes } from 'node:crypto';
import type { AuditRecorder } from '../audit/audit-recorder';
import { CONSOLE_ACTION_HEADER, formatConsoleTag } from '../audit/console-header';
import type { RotationAudit } from './rotator';

export function recorderRotationAudit(recorder: AuditRecorder): RotationAudit {
  return {
    begin(action, path, opts) {
      if (action === 'retire') {
        // The last step of a rotation: recorded as "rotate", told apart by its request id (vc-retire-…).
        const requestId = `vc-retire-${randomBytes(8).toString('hex')}`;
        return {
          headers: { [CONSOLE_ACTION_HEADER]: formatConsoleTag({ action: 'rotate', req: requestId }) },
          finish: (ok, error) => {
            recorder.record({ action: 'rotate', path, status: ok ? 'ok' : 'error', requestId, error: error ?? null });
          },
        };
      }
      const tag = recorder.begin(action, { path, ...(opts?.incidentId ? { incidentId: opts.incidentId } : {}) });
      return { headers: tag.headers, finish: (ok, error) => recorder.finish(tag, ok ? 'ok' : 'error', error) };
    },
  };
}
