import { GatedButton } from '../../../components/GatedButton';
import { useRevealStore } from '../store';
import { RevealModal } from './RevealModal';

/** The SMTP section's "View Credentials" button; opens the re-authentication modal. */
export function ViewCredentialsButton({ tenantId, tenantName }: { tenantId: string; tenantName: string }) {
  const openFor = useRevealStore((s) => s.openFor);
  const target = useRevealStore((s) => s.target);
  const isOpen = target?.tenantId === tenantId;
  return (
    <>
      <GatedButton gate={{ action: 'secrets.reveal', tenantId }} className="primary" onClick={() => openFor({ tenantId, tenantName })} testId="view-credentials">
        View Credentials
      </GatedButton>
      {isOpen && <RevealModal />}
    </>
  );
}
