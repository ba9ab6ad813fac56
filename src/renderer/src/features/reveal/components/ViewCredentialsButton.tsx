import { useCan } from '../../session/store';
import { useRevealStore } from '../store';
import { RevealModal } from './RevealModal';

/** The SMTP section's "View Credentials" button; opens the re-authentication modal. */
export function ViewCredentialsButton({ tenantId, tenantName }: { tenantId: string; tenantName: string }) {
  const openFor = useRevealStore((s) => s.openFor);
  const target = useRevealStore((s) => s.target);
  const isOpen = target?.tenantId === tenantId;
  const can = useCan('secrets.read');
  return (
    <>
      <button type="button" className="primary" disabled={!can.allowed} title={can.reason ?? undefined} onClick={() => openFor({ tenantId, tenantName })} data-testid="view-credentials">
        View Credentials
      </button>
      {isOpen && <RevealModal />}
    </>
  );
}
