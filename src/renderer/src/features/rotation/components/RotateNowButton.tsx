import { useState } from 'react';
import type { RotationResult } from '../../../../../shared/contract';
import { useCan } from '../../session/store';
import { RotateDialog } from './RotateDialog';

/**
 * "Rotate Now" for one secret. target: ssh-admin | ssh-tenant | smtp | dkim:<domain> | api:<keyId>.
 * expectedVersion: the version the view shows, so a change by another admin is reported, not overwritten.
 */
export function RotateNowButton({ tenantId, target, expectedVersion, onRotated }: { tenantId: string; target: string; expectedVersion?: number; onRotated?(r: RotationResult[]): void }) {
  const [open, setOpen] = useState(false);
  const can = useCan('secrets.rotate');
  return (
    <>
      <button type="button" disabled={!can.allowed} title={can.reason ?? undefined} onClick={() => setOpen(true)} data-testid="rotate-now">
        Rotate Now
      </button>
      {open && <RotateDialog tenantId={tenantId} mode={{ kind: 'rotate', target, expectedVersion }} title={`Rotate ${target} of ${tenantId}`} onClose={() => setOpen(false)} onDone={onRotated} />}
    </>
  );
}
