// Pure traffic-light rules for the dashboard cards, shared by the UI (through the
// snapshot) and `vault-console status`. No I/O here, so each rule is unit-tested.
import type { HealthTone } from '../../../shared/contracts/health';
import type { BackupStatus } from './backup-status';

export const HOUR_MS = 3_600_000;
/** Spec: green < 24 h, yellow 24-48 h, red > 48 h. */
export const BACKUP_GREEN_MS = 24 * HOUR_MS;
export const BACKUP_RED_MS = 48 * HOUR_MS;
/** The spec wants file and syslog audit devices, so that one failing never stops auditing. */
export const MIN_AUDIT_DEVICES = 2;

const ORDER: Record<HealthTone, number> = { neutral: 0, green: 1, amber: 2, red: 3 };

/** The worst tone; neutral cards (informational) never make things look better or worse. */
export function worstTone(tones: readonly HealthTone[]): HealthTone {
  let worst: HealthTone = 'neutral';
  for (const t of tones) if (ORDER[t] > ORDER[worst]) worst = t;
  return worst;
}

export function backupAgeTone(ageMs: number): HealthTone {
  if (ageMs < BACKUP_GREEN_MS) return 'green';
  if (ageMs <= BACKUP_RED_MS) return 'amber';
  return 'red';
}

export interface BackupView {
  lastBackup: { tone: HealthTone; label: string; detail: string | null; at: string | null; ageHours: number | null };
  health: { tone: HealthTone; label: 'Healthy' | 'Warning' | 'Critical'; detail: string | null };
}

export function backupView(status: BackupStatus | null, nowMs: number): BackupView {
  if (!status || !status.lastSuccessAt) {
    const failed = status?.lastAttemptFailed ? ' The last attempt failed.' : '';
    return {
      lastBackup: { tone: 'red', label: 'No backup recorded', detail: `No successful backup is recorded.${failed}`, at: null, ageHours: null },
      health: { tone: 'red', label: 'Critical', detail: 'No backup recorded.' },
    };
  }
  const ageMs = Math.max(0, nowMs - status.lastSuccessAt.getTime());
  const ageHours = Math.round((ageMs / HOUR_MS) * 10) / 10;
  const ageTone = backupAgeTone(ageMs);
  const lastBackup = {
    tone: ageTone,
    label: formatAge(ageMs),
    detail: status.lastSuccessAt.toISOString(),
    at: status.lastSuccessAt.toISOString(),
    ageHours,
  };
  const problems: string[] = [];
  if (ageTone === 'red') problems.push('the last backup is more than 48 hours old');
  if (ageTone === 'amber') problems.push('the last backup is more than 24 hours old');
  if (status.lastAttemptFailed) problems.push('the last attempt failed');
  if (status.bucketVersioning === false) problems.push('bucket versioning is off');
  if (status.bucketVersioning === null) problems.push('bucket versioning could not be checked');
  const detail = problems.length > 0 ? capitalise(`${problems.join('; ')}.`) : 'Recent backup, last attempt succeeded, versioning on.';
  if (ageTone === 'red') return { lastBackup, health: { tone: 'red', label: 'Critical', detail } };
  if (problems.length > 0) return { lastBackup, health: { tone: 'amber', label: 'Warning', detail } };
  return { lastBackup, health: { tone: 'green', label: 'Healthy', detail } };
}

export function auditTone(count: number): HealthTone {
  if (count === 0) return 'red';
  return count < MIN_AUDIT_DEVICES ? 'amber' : 'green';
}

export function formatAge(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
