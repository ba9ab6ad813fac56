// Rotate and emergency-reset as console audit events, through the audit feature's
// AuditRecorder: the Vault write carries the audited action header, and the record
// (path, who, ok/error) is written when the rotation ends. Fail closed: if the record
// cannot be written, the recorder throws and the rotation is reported as failed.
import type { AuditRecorder } from '../audit/audit-recorder';
import type { RotationAudit } from './rotator';

export function recorderRotationAudit(recorder: AuditRecorder): RotationAudit {
  return {
    begin(action, path) {
      const tag = recorder.begin(action, { path });
      return { headers: tag.headers, finish: (ok, error) => recorder.finish(tag, ok ? 'ok' : 'error', error) };
    },
  };
}
