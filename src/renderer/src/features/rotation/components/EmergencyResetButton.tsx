import { useState } from 'react';
import type { RotationResult } from '../../../../../shared/contract';
import { useCan } from '../../session/store';
import { RotateDialog } from './RotateDialog';

/** "Emergency Reset" for a tenant's SMTP credentials or SSH keys: incident ID required, no grace period. */
export function EmergencyResetButton({ tenantId, target, onReset }: { tenantId: string; target: 'smtp' | 'ssh'; onReset?(r: RotationResult[]): void }) {
  const [open, setOpen] = useState(false);
  const can = useCan('secrets.rotate');
  return (
    <>
      <button type="button" className="danger" disabled={!can.allowed} title={can.reason ?? undefined} onClick={() => setOpen(true)} data-testid="emergency-reset">
        Emergency Reset
      </button>
      {open && (
        <RotateDialog
          tenantId={tenantId}
          mode={{ kind: 'emergency', target }}
          title={`Emergency reset: ${target === 'ssh' ? 'SSH keys' : 'SMTP credentials'} of ${tenantId}`}
          onClose={() => setOpen(false)}
          onDone={onReset}
        />
      )}
    </>
  );
}
