import { useState } from 'react';
import { BulkRotationPanel } from './BulkRotationPanel';
import { EmergencyResetButton } from './EmergencyResetButton';
import { RotateNowButton } from './RotateNowButton';
import { SchedulesForm } from './SchedulesForm';

/**
 * The Rotation view: bulk jobs, shared schedules, and a one-secret form (the tenant
 * details view mounts RotateNowButton / EmergencyResetButton next to each secret).
 */
export function RotationView() {
  const [tenantId, setTenantId] = useState('');
  const [target, setTarget] = useState('ssh-admin');
  const id = tenantId.trim();
  const ok = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id) && target.trim() !== '';
  return (
    <div className="rotation-view" data-testid="rotation-view">
      <BulkRotationPanel />
      <section className="card rotate-one" data-testid="rotate-one">
        <h2>Rotate one secret</h2>
        <label>
          Tenant id
          <input value={tenantId} onChange={(e) => setTenantId(e.target.value)} placeholder="t-000042" data-testid="rotate-one-tenant" />
        </label>
        <label>
          Secret
          <input value={target} onChange={(e) => setTarget(e.target.value)} placeholder="ssh-admin, ssh-tenant, smtp, dkim:<domain>, api:<keyId>" data-testid="rotate-one-target" />
        </label>
        {ok && (
          <div className="rotation-actions">
            <RotateNowButton tenantId={id} target={target.trim()} />
            {(target.trim() === 'smtp' || target.trim().startsWith('ssh')) && <EmergencyResetButton tenantId={id} target={target.trim() === 'smtp' ? 'smtp' : 'ssh'} />}
          </div>
        )}
      </section>
      <SchedulesForm />
    </div>
  );
}
