// "View Audit Trail" of a credential: the audit view, filtered to every event on it.
import type { AuditFilter } from '../../../../../shared/contract';
import { useNavigation } from '../../../lib/navigation';
import { useAuditStore } from '../store';

export function AuditTrailButton({ tenantId, secretType, label, testId }: { tenantId: string; secretType: NonNullable<AuditFilter['secretType']>; label: string; testId: string }) {
  const go = useNavigation((s) => s.go);
  return (
    <button
      type="button"
      className="small"
      onClick={() => {
        useAuditStore.getState().openTrail({ tenant: tenantId, secretType, label });
        go('audit');
      }}
      data-testid={testId}
    >
      View Audit Trail
    </button>
  );
}
