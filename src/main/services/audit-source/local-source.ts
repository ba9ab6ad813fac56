// The local SQLite store as an audit source (the default: embedded, works offline).
import type { AlertSettings, AuditAction, AuditCursor, AuditFilter, AuditStatus } from '../../../shared/contracts/audit';
import { candidateUtcHours, type DetectorInput } from '../audit/alert-detector';
import type { ApprovalWrite } from '../audit/audit-record';
import type { IdentityRef, TimeRange } from '../storage/audit-access-queries';
import type { AuditRepo, StoredEvent } from '../storage/audit-repo';
import { detectorOrder, type AuditEventSource, type SourceCounts, type SourceHealth } from './audit-source';

/** Events of each kind a detector looks at (the newest in the range): bounds the work at millions of events. */
export const ALERT_SCAN_LIMIT = 100_000;

type Capped = StoredEvent[] & { capped?: boolean };

function ordered(list: Capped): Capped {
  const capped = list.capped;
  const out: Capped = detectorOrder(list);
  out.capped = capped;
  return out;
}

/** What the detectors look at in [from, to] in the local store: Vault's record, bounded per kind. */
export function localDetectorInput(repo: AuditRepo, from: number, to: number, settings: AlertSettings): DetectorInput & { partialSince: string | null } {
  const failed = ordered(repo.byAction('failed-login', from, to, ALERT_SCAN_LIMIT));
  const reads = ordered(repo.byAction('read', from, to, ALERT_SCAN_LIMIT, { tenantOnly: true }));
  const deletes = ordered(repo.byAction('delete', from, to, ALERT_SCAN_LIMIT, { tenantOnly: true }));
  const writes = ordered(repo.byAction('write', from, to, ALERT_SCAN_LIMIT, { tenantOnly: true }));
  const offHours = ordered(repo.tenantAccessInHours(candidateUtcHours(settings), from, to, ALERT_SCAN_LIMIT));
  const conflicts = ordered(repo.headerConflicts(from, to, ALERT_SCAN_LIMIT));
  const critical = ordered(repo.byAction('sys-critical', from, to, ALERT_SCAN_LIMIT));
  const decrypts = ordered(repo.byAction('decrypt', from, to, ALERT_SCAN_LIMIT));
  // Approvals may be older than the range: everything up to its end.
  const approvalWrites = ordered(repo.approvalWrites(to, ALERT_SCAN_LIMIT));
  const unclassified = repo.unclassified(from, to, ALERT_SCAN_LIMIT);
  const entities = new Set<string>();
  for (const list of [reads, writes, offHours, conflicts, critical, decrypts]) for (const e of list) if (e.entityId) entities.add(e.entityId);
  const entityNames = repo.entityNames([...entities]);
  const cut = [failed, reads, deletes, writes, offHours, conflicts, critical, decrypts].filter((l) => l.capped && l.length > 0).map((l) => l[0]!.ts);
  return { failed, reads, deletes, writes, offHours, conflicts, critical, decrypts, approvalWrites, unclassified, entityNames, partialSince: cut.length ? new Date(Math.max(...cut)).toISOString() : null };
}

export class LocalAuditSource implements AuditEventSource {
  readonly kind = 'local' as const;
  readonly label = 'local store';

  constructor(private readonly repo: AuditRepo) {}

  async page(filter: AuditFilter, cursor: AuditCursor | null | undefined, limit: number) {
    return this.repo.page(filter, cursor, limit);
  }

  async counts(filter: AuditFilter, cap: number): Promise<SourceCounts> {
    return this.repo.counts(filter, cap);
  }

  async facets() {
    return this.repo.facets();
  }

  async histogram(filter: AuditFilter) {
    return this.repo.histogram(filter);
  }

  async byIds(ids: readonly number[]) {
    return this.repo.byIds(ids);
  }

  async *chunks(filter: AuditFilter, chunkSize = 5000): AsyncGenerator<StoredEvent[]> {
    for (const c of this.repo.chunks(filter, chunkSize)) yield c;
  }

  async timeBounds() {
    return this.repo.timeBounds();
  }

  async accessTable(identity: IdentityRef, range: TimeRange, actions: readonly AuditAction[], statuses: readonly AuditStatus[]) {
    return this.repo.access.accessTable(identity, range, actions, statuses);
  }

  version(): number {
    return this.repo.version;
  }

  async detectorInput(from: number, to: number, settings: AlertSettings) {
    return localDetectorInput(this.repo, from, to, settings);
  }

  async approvalWrites(to: number, limit: number) {
    return this.repo.approvalWrites(to, limit);
  }

  setApprovalWrite(e: StoredEvent, w: ApprovalWrite): void {
    this.repo.setApprovalWrite(e.id, w);
  }

  async check(): Promise<SourceHealth> {
    return this.health();
  }

  health(): SourceHealth {
    return { kind: 'local', label: this.label, state: 'ok', message: null, checkedAt: null };
  }

  close(): void {}
}
