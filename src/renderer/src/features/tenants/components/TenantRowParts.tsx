// Pieces of a tenant row that tell the whole truth: every secret type's worst status
// with how many secrets have it, and, under a status or rotation-due filter, which
// secrets made the tenant match.
import type { MatchedSecret, TenantRow, TenantSearchInput, TypeSummary } from '../../../../../shared/contract';
import { HEALTH_LABEL, type SecretHealth } from '../../../../../shared/inventory/rotation-status';
import { formatUtc } from '../../../../../shared/time-format';
import { HealthBadge } from './HealthBadge';

export type SecretType = keyof TenantRow['types'];

const NOUN: Record<SecretType, [string, string]> = {
  ssh: ['SSH key', 'SSH keys'],
  smtp: ['SMTP credential', 'SMTP credentials'],
  api: ['API key', 'API keys'],
  dkim: ['DKIM key', 'DKIM keys'],
};

/** Worst status of the type plus "k/n" (k of the n secrets have it); always for the count columns. */
export function TypeStatusCell({ type, summary }: { type: SecretType; summary: TypeSummary }) {
  const [one, many] = NOUN[type];
  if (summary.total === 0) {
    return (
      <span className="tt-type" title={`No ${many}`}>
        <HealthBadge health="none" testId={`cell-${type}`} />
      </span>
    );
  }
  const label = summary.health === 'none' ? '' : HEALTH_LABEL[summary.health as SecretHealth].toLowerCase();
  const showCount = summary.total > 1 || type === 'api' || type === 'dkim';
  const title = `${summary.count} of ${summary.total} ${summary.total === 1 ? one : many} ${label}`;
  return (
    <span className="tt-type" title={title} data-count={summary.count} data-total={summary.total}>
      <HealthBadge health={summary.health} short testId={`cell-${type}`} />
      {showCount && (
        <span className="tt-count" data-testid={`cell-${type}-count`}>
          {summary.count}/{summary.total}
        </span>
      )}
    </span>
  );
}

const TYPE_NAME: Record<SecretType, string> = { ssh: 'SSH', smtp: 'SMTP', api: 'API key', dkim: 'DKIM' };

function secretName(m: MatchedSecret): string {
  if (m.type === 'ssh') return `${TYPE_NAME.ssh} ${m.name} key`;
  if (m.type === 'smtp') return `${TYPE_NAME.smtp} ${m.name}`;
  return `${TYPE_NAME[m.type]} ${m.name}`;
}

/** What the filter asked for, in words ("Overdue or expired", "Due within 7 days", "Revoked"). */
export function filterWords(f: { due?: TenantSearchInput['due'] | ''; status?: TenantSearchInput['status'] | '' }): string | null {
  const status = f.status ? `${f.status[0]!.toUpperCase()}${f.status.slice(1)}` : null;
  if (f.due === 'overdue') return f.status === 'expired' ? 'Expired' : f.status === 'active' ? 'Overdue' : 'Overdue or expired';
  if (f.due) return `Due within ${f.due === '7d' ? 7 : 30} days`;
  return status;
}

/** "Overdue or expired: DKIM mail.example.com Expired · API key ak_… Overdue since 2026-11-20 09:00 UTC · +2 more". */
export function MatchedLine({ row, words }: { row: TenantRow; words: string }) {
  if (row.matchedTotal === 0) return null;
  const more = row.matchedTotal - row.matched.length;
  return (
    <div className="tt-matched" role="cell" data-testid="tenant-matched">
      <span className="tt-matched-label">{words}:</span>
      {row.matched.map((m) => (
        <span key={`${m.type}/${m.name}`} className="tt-matched-item" data-testid="matched-secret" data-type={m.type} data-health={m.health} title={m.nextRotation ? `Next rotation ${formatUtc(m.nextRotation)}` : undefined}>
          {secretName(m)} <HealthBadge health={m.health} short />
        </span>
      ))}
      {more > 0 && <span className="muted">+{more} more</span>}
    </div>
  );
}
