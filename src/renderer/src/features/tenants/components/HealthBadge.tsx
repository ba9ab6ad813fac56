import { HEALTH_LABEL, statusColour, type SecretHealth } from '../../../../../shared/inventory/rotation-status';

// Table cells are narrow: the same words, shorter.
const SHORT: Partial<Record<SecretHealth, string>> = { due30: 'Due 30 d', due7: 'Due 7 d' };

/** Colour plus the word: colour is never the only signal. */
export function HealthBadge({ health, reason, testId, short }: { health: SecretHealth | 'none'; reason?: string | null; testId?: string; short?: boolean }) {
  if (health === 'none') {
    return (
      <span className="health health-none" data-testid={testId} data-health="none">
        —
      </span>
    );
  }
  const label = short ? (SHORT[health] ?? HEALTH_LABEL[health]) : HEALTH_LABEL[health];
  return (
    <span className={`health health-${statusColour(health)}`} data-testid={testId} data-health={health} title={reason ?? (label !== HEALTH_LABEL[health] ? HEALTH_LABEL[health] : undefined)}>
      {label}
      {reason ? <span className="visually-hidden">: {reason}</span> : null}
    </span>
  );
}
