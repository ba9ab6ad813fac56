import { HEALTH_LABEL, statusColour, type SecretHealth } from '../../../../../shared/inventory/rotation-status';

/** Colour plus the word: colour is never the only signal. */
export function HealthBadge({ health, reason, testId }: { health: SecretHealth | 'none'; reason?: string | null; testId?: string }) {
  if (health === 'none') {
    return (
      <span className="health health-none" data-testid={testId} data-health="none">
        —
      </span>
    );
  }
  return (
    <span className={`health health-${statusColour(health)}`} data-testid={testId} data-health={health} title={reason ?? undefined}>
      {HEALTH_LABEL[health]}
      {reason ? <span className="visually-hidden">: {reason}</span> : null}
    </span>
  );
}
