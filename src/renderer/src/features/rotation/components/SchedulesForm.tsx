import { useEffect, useState } from 'react';
import { checkSchedules, DAYS_RANGE, GRACE_RANGE, RuleError, type RotationSchedules } from '../../../../../shared/rotation/rules';
import { GatedButton } from '../../../components/GatedButton';
import type { StoredSchedules } from '../../../../../shared/contract';
import { useRotationStore } from '../store';
import { Time } from '../../../lib/Time';

/** Where the schedules on screen come from: the cluster's entry, the defaults it uses, or defaults shown because the cluster's cannot be read. */
function ScheduleSource({ schedules }: { schedules: StoredSchedules | null }) {
  if (schedules?.source === 'unreadable') {
    return (
      <p className="notice" role="status" data-testid="schedules-source">
        <strong>These are the built-in defaults, not necessarily the cluster&apos;s schedules.</strong> {schedules.problem}
      </p>
    );
  }
  return (
    <p className="muted" data-testid="schedules-source">
      {schedules?.source === 'defaults' ? (
        'The cluster has no saved schedules: every console uses these defaults until an admin saves them in Vault.'
      ) : (
        <>
          The cluster&apos;s schedules, stored in Vault for every admin{schedules?.source === 'vault-metadata' ? ' (read from their metadata copy)' : ''}
          {schedules?.updatedBy ? (
            <>
              ; last changed by {schedules.updatedBy} at <Time value={schedules.updatedAt} fallback="?" />
            </>
          ) : null}
          .
        </>
      )}
    </p>
  );
}

/** The shared schedules (stored in Vault, the same for every admin); saving moves existing due dates. */
export function SchedulesForm() {
  const { schedules, schedulesError, schedulesSaved, loadSchedules, saveSchedules } = useRotationStore();
  const [draft, setDraft] = useState<RotationSchedules | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    void loadSchedules();
  }, [loadSchedules]);
  useEffect(() => {
    if (schedules) setDraft(schedules.schedules);
  }, [schedules]);
  if (!draft) return <section className="card">{schedulesError ?? 'Loading schedules…'}</section>;

  const days = (t: keyof RotationSchedules['days'], label: string) => (
    <label>
      {label} (days, {DAYS_RANGE[t][0]}–{DAYS_RANGE[t][1]})
      <input type="number" value={draft.days[t]} onChange={(e) => setDraft({ ...draft, days: { ...draft.days, [t]: Number(e.target.value) } })} data-testid={`schedule-${t}`} />
    </label>
  );
  const grace = (t: 'ssh' | 'dkim', label: string) => (
    <label>
      {label} grace (hours, {GRACE_RANGE[t][0]}–{GRACE_RANGE[t][1]})
      <input type="number" value={draft.graceHours[t]} onChange={(e) => setDraft({ ...draft, graceHours: { ...draft.graceHours, [t]: Number(e.target.value) } })} data-testid={`grace-${t}`} />
    </label>
  );
  return (
    <form
      className="card rotation-schedules"
      data-testid="rotation-schedules"
      onSubmit={(e) => {
        e.preventDefault();
        try {
          checkSchedules(draft);
        } catch (err) {
          setProblem(err instanceof RuleError ? err.message : 'Invalid schedules.');
          return;
        }
        setProblem(null);
        void saveSchedules(draft);
      }}
    >
      <h2>Rotation schedules</h2>
      <div className="rotation-grid">
        {days('ssh', 'SSH keys')}
        {days('smtp', 'SMTP credentials')}
        {days('dkim', 'DKIM keys')}
        {days('api', 'API keys')}
        {grace('ssh', 'SSH')}
        {grace('dkim', 'DKIM')}
      </div>
      <ScheduleSource schedules={schedules} />
      {(problem ?? schedulesError) && (
        <p className="error" role="alert" data-testid="schedules-error">
          {problem ?? schedulesError}
        </p>
      )}
      {schedulesSaved && !schedulesError && (
        <p data-testid="schedules-saved">Saved{schedules?.rescheduleJobId ? `; due dates are being updated (job ${schedules.rescheduleJobId})` : ''}.</p>
      )}
      <GatedButton type="submit" gate={{ action: 'schedules.save', exists: (schedules?.version ?? 0) > 0 }} className="primary" testId="schedules-save">
        Save schedules
      </GatedButton>
    </form>
  );
}
