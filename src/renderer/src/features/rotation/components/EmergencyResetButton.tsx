import { useState } from 'react';
import type { RotationResult } from '../../../../../shared/contract';
import { GatedButton } from '../../../components/GatedButton';
import { RotateDialog } from './RotateDialog';

/** "Emergency Reset" for a tenant's SMTP credentials or SSH keys: incident ID required, no grace period. */
export function EmergencyResetButton({ tenantId, target, onReset }: { tenantId: string; target: 'smtp' | 'ssh'; onReset?(r: RotationResult[]): void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <GatedButton gate={{ action: 'secrets.emergency-reset', tenantId, which: target }} className="danger" onClick={() => setOpen(true)} testId="emergency-reset">
        Emergency Reset
      </GatedButton>
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
