// Turns "this condition holds / no longer holds" into PagerDuty events: a trigger
// when a condition starts, a resolve when it clears, nothing while it stays as it
// is (ten polls of a sealed Vault are one page). The open conditions live in SQLite,
// so a restart neither pages again for a condition that is still open nor forgets to
// resolve one that cleared while the watcher was down.
import type { OpenPage, PageSeverity, WatchCondition } from '../../../shared/contracts/watch';
import type { Logger } from '../log/logger';
import type { OpenConditionRow, WatchRepo } from '../storage/watch-repo';
import type { Clock } from '../time/clock';
import { resolveEvent, triggerEvent } from './pagerduty';

export interface Observation {
  condition: WatchCondition;
  active: boolean;
  /** For an active condition: */
  severity?: PageSeverity;
  /** Open without paging (a break-glass seal configured to page no one). */
  silent?: boolean;
  summary?: string;
  details?: Record<string, unknown>;
  /** The console view the page links to. */
  view?: 'health' | 'backups' | 'audit' | 'tenants';
}

export interface PagerDeps {
  repo: WatchRepo;
  clock: Clock;
  log: Logger;
  /** Identifies the cluster in every dedup_key (stable across restarts). */
  clusterKey: () => string;
  /** payload.source: the Vault cluster as people name it. */
  source: () => string;
  consoleUrl: string;
  vaultAddress: () => string;
  /** Called after an event was queued. */
  queued: () => void;
  onChange?: (condition: WatchCondition, open: boolean) => void;
}

export function dedupKeyFor(clusterKey: string, condition: WatchCondition): string {
  return `vault-console/${clusterKey}/${condition}`;
}

/** "vault.example.com:8200" (plus "/ns" with a namespace): readable in PagerDuty, stable, bounded. */
export function clusterKeyOf(address: string, namespace?: string): string {
  let host = address;
  try {
    host = new URL(address).host;
  } catch {
    // keep as given
  }
  const ns = namespace ? `/${namespace.replace(/[^A-Za-z0-9_./-]/g, '')}` : '';
  return `${host}${ns}`.slice(0, 180);
}

export function consoleLink(base: string, view: string, vaultAddress: string): string {
  const sep = base.includes('?') ? '&' : '?';
  return `${base}${sep}view=${encodeURIComponent(view)}&cluster=${encodeURIComponent(vaultAddress)}`;
}

export class Pager {
  constructor(private readonly deps: PagerDeps) {}

  /** Applies one observation; returns what changed. */
  observe(o: Observation): 'opened' | 'resolved' | 'unchanged' {
    const { repo, clock, log } = this.deps;
    const now = clock.now();
    const dedupKey = dedupKeyFor(this.deps.clusterKey(), o.condition);
    if (o.active) {
      const severity = o.severity ?? 'error';
      const summary = (o.summary ?? o.condition).slice(0, 1024);
      const row: OpenConditionRow = { condition: o.condition, dedupKey, severity, silent: o.silent === true, summary, openedAt: now };
      const trigger = o.silent
        ? null
        : {
            condition: o.condition,
            dedupKey,
            action: 'trigger' as const,
            eventJson: JSON.stringify(
              triggerEvent({
                condition: o.condition,
                dedupKey,
                severity,
                summary,
                source: this.deps.source(),
                timestamp: new Date(now).toISOString(),
                details: { condition: o.condition, ...(o.details ?? {}) },
                link: { href: consoleLink(this.deps.consoleUrl, o.view ?? 'health', this.deps.vaultAddress()), text: `Open the ${o.view ?? 'health'} view in Vault Console` },
              }),
            ),
          };
      if (!repo.open(row, trigger, now)) return 'unchanged';
      log.warn(`${o.condition} opened (${severity}${o.silent ? ', not paged' : ''}): ${summary}`);
      if (trigger) this.deps.queued();
      this.deps.onChange?.(o.condition, true);
      return 'opened';
    }
    let paged = false;
    const closed = repo.resolve(
      o.condition,
      (row) => {
        paged = true;
        // The trigger's key, as stored: a resolve must name exactly the incident it closes.
        return { condition: o.condition, dedupKey: row.dedupKey, action: 'resolve', eventJson: JSON.stringify(resolveEvent(row.dedupKey)) };
      },
      now,
    );
    if (!closed) return 'unchanged';
    log.info(`${o.condition} cleared${paged ? '; resolve queued' : ''}`);
    if (paged) this.deps.queued();
    this.deps.onChange?.(o.condition, false);
    return 'resolved';
  }

  isOpen(condition: WatchCondition): boolean {
    return this.deps.repo.openConditions().some((r) => r.condition === condition);
  }

  openPages(): OpenPage[] {
    return this.deps.repo.openConditions().map((r) => ({
      condition: r.condition,
      severity: r.severity,
      summary: r.summary,
      since: new Date(r.openedAt).toISOString(),
      silent: r.silent,
    }));
  }
}
