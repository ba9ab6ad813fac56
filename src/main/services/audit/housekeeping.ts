// What counts as the console's own housekeeping (hidden by default in the viewer), decided
// from Vault's record alone: source, action (from path and operation), path and status.
// The rules and why are in storage/schema/audit-housekeeping.ts beside HOUSEKEEPING_SQL,
// the local store's generated column. This is the same decision for events that leave
// SQLite (the VictoriaLogs event line carries it as a field, event-fields.ts). A unit test
// runs both on every row of the captured corpora and on hostile paths: change both together.
import type { AuditRecord } from './audit-record';

const PROBES = new Set([
  'sys/health', 'sys/seal-status', 'sys/leader', 'sys/ha-status', 'sys/metrics', 'sys/audit', 'sys/capabilities-self',
  'sys/storage/raft/autopilot/state', 'auth/token/lookup-self', 'auth/token/renew-self',
  'cubbyhole/vault-console/health-canary',
]);

/**
 * SQLite's `GLOB` for patterns whose only wildcard is `*` (case-sensitive, `*` matches
 * anything, '/' included), on text without a NUL character (SQLite's stops reading at
 * one; isHousekeeping never calls it with one).
 */
function glob(s: string, pattern: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return s === pattern;
  const first = parts[0]!;
  const last = parts.at(-1)!;
  if (s.length < first.length + last.length || !s.startsWith(first) || !s.endsWith(last)) return false;
  let at = first.length;
  const end = s.length - last.length;
  for (const mid of parts.slice(1, -1)) {
    const i = s.indexOf(mid, at);
    if (i < 0 || i + mid.length > end) return false;
    at = i + mid.length;
  }
  return true;
}

/** True when the event is the console's housekeeping (same answer as HOUSEKEEPING_SQL on its row). */
export function isHousekeeping(r: Pick<AuditRecord, 'source' | 'action' | 'path' | 'status'>): boolean {
  if (r.source === 'console') return false;
  // A NUL in any field read below: never housekeeping (GLOB would read only up to it, so
  // `tenants/data/_rotation-schedules\u0000/x` could pass for the schedules read).
  if (r.source.includes('\u0000') || r.action.includes('\u0000') || r.path.includes('\u0000') || r.status.includes('\u0000')) return false;
  // The shared schedules: absent until someone saves them, so "not found" is routine too.
  if (r.action === 'read' && glob(r.path, '*/data/_rotation-schedules') && (r.status === 'ok' || r.status === 'not-found')) return true;
  if (r.status !== 'ok') return false;
  return (
    r.action === 'list' ||
    r.action === 'read-metadata' ||
    glob(r.path, '*/detailed-metadata/*') ||
    glob(r.path, '*/detailed-metadata') ||
    PROBES.has(r.path) ||
    (r.action === 'other' && glob(r.path, 'sys/internal/ui/mounts/*')) ||
    (r.action === 'write-metadata' && glob(r.path, '*-stamps/metadata/*'))
  );
}
