// The port the audit service reads events through. Two implementations answer every
// viewer question with the same meaning: the local SQLite store (default, embedded,
// works offline) and a VictoriaLogs endpoint holding the fleet's audit events (filters,
// counts, breakdowns and the alert windows pushed down as LogsQL). Events on both are
// Vault's entries mapped once (audit-mapping.ts); see event-fields.ts for the wire form.
import type { AlertSettings, AuditCursor, AuditFilter } from '../../../shared/contracts/audit';
import type { DetectorInput } from '../audit/alert-detector';
import type { ApprovalWrite } from '../audit/audit-record';
import type { AuditChartData } from '../storage/audit-chart';
import type { AuditAction, AuditStatus } from '../../../shared/contracts/audit';
import type { AccessTable, IdentityRef, TimeRange } from '../storage/audit-access-queries';
import type { StoredEvent } from '../storage/audit-repo';
import type { SourceState } from './logsql-client';

export type AuditSourceKind = 'local' | 'victorialogs';

export interface SourceCounts {
  total: number;
  capped: boolean;
  byAction: Record<string, number>;
  byActionOf: number;
}

export interface SourceHealth {
  kind: AuditSourceKind;
  /** What the view says it shows: "local store" or "VictoriaLogs at host:port {cluster="x"}". */
  label: string;
  state: SourceState;
  /** Why the last request failed (safe to show); null when it worked. */
  message: string | null;
  /** When the source last answered or failed (ISO), null before the first request. */
  checkedAt: string | null;
}

export interface AuditEventSource {
  readonly kind: AuditSourceKind;
  readonly label: string;
  /** Newest first, keyset-paged. */
  page(filter: AuditFilter, cursor: AuditCursor | null | undefined, limit: number): Promise<{ events: StoredEvent[]; nextCursor: AuditCursor | null }>;
  counts(filter: AuditFilter, cap: number): Promise<SourceCounts>;
  facets(): Promise<{ tenants: string[]; users: string[] }>;
  /** Events over time by action (the chart above the table), buckets chosen by chartPlan() on every source. */
  histogram(filter: AuditFilter): Promise<AuditChartData>;
  /** Oldest first. */
  byIds(ids: readonly number[]): Promise<StoredEvent[]>;
  /** Oldest first, in chunks (exports): never the whole range in memory. */
  chunks(filter: AuditFilter, chunkSize?: number): AsyncGenerator<StoredEvent[]>;
  timeBounds(): Promise<{ min: number; max: number } | null>;
  /**
   * Every path one identity accessed in the range: counts per action (in the order of
   * `actions`), first and last time, sorted by path (the blast radius; counted by the
   * source, never by pulling the events).
   */
  accessTable(identity: IdentityRef, range: TimeRange, actions: readonly AuditAction[], statuses: readonly AuditStatus[]): Promise<AccessTable>;
  /** Changes when cached answers over the events may be stale. */
  version(): number;
  /** What the alert detectors look at in [from, to] (each list oldest first, bounded per kind). */
  detectorInput(from: number, to: number, settings: AlertSettings): Promise<DetectorInput & { partialSince: string | null }>;
  /** Vault's record of writes to approval requests up to `to`, oldest first. */
  approvalWrites(to: number, limit: number): Promise<StoredEvent[]>;
  /** Keeps what was read back from Vault for an approval write whose log held it HMAC'd. */
  setApprovalWrite(e: StoredEvent, w: ApprovalWrite): void;
  /** Asks the source now (a cheap query) and returns its state. */
  check(): Promise<SourceHealth>;
  /** The state of the last request. */
  health(): SourceHealth;
  close(): void;
}

/** Detector lists in one order on every source: time, then event key (ties never depend on storage order). */
export function detectorOrder<T extends { ts: number; key: string }>(list: T[]): T[] {
  return list.sort((a, b) => a.ts - b.ts || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
