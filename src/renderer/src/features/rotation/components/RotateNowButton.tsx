import { useState } from 'react';
import type { RotationResult } from '../../../../../shared/contract';
import { GatedButton } from '../../../components/GatedButton';
import { RotateDialog } from './RotateDialog';

/**
 * "Rotate Now" for one secret. target: ssh-admin | ssh-tenant | smtp | dkim:<domain> | api:<keyId>.
 * expectedVersion: the version the view shows, so a change by another admin is reported, not overwritten.
 */
export function RotateNowButton({ tenantId, target, expectedVersion, onRotated }: { tenantId: string; target: string; expectedVersion?: number; onRotated?(r: RotationResult[]): void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <GatedButton gate={{ action: 'secrets.rotate', tenantId, target }} onClick={() => setOpen(true)} testId="rotate-now">
        Rotate Now
      </GatedButton>
      {open && <RotateDialog tenantId={tenantId} mode={{ kind: 'rotate', target, expectedVersion }} title={`Rotate ${target} of ${tenantId}`} onClose={() => setOpen(false)} onDone={onRotated} />}
    </>
  );
}
