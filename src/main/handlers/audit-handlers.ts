import type { Services } from '../services/container';
import { COUNT_CAP } from '../services/audit/audit-service';
import { toView } from '../services/storage/audit-repo';
import type { Handlers } from './types';

type AuditChannels =
  | 'audit:query'
  | 'audit:counts'
  | 'audit:chart'
  | 'audit:facets'
  | 'audit:events-by-id'
  | 'audit:alerts'
  | 'audit:alert-settings'
  | 'audit:set-alert-settings'
  | 'audit:stream-status'
  | 'audit:stream-start'
  | 'audit:stream-stop'
  | 'audit:import'
  | 'audit:export'
  | 'audit:approvals'
  | 'audit:request-delete'
  | 'audit:approve-delete'
  | 'audit:delete-secret'
  | 'audit:archives'
  | 'audit:archive-month'
  | 'audit:reopen-month'
  | 'audit:set-retention';

export function auditHandlers({ audit }: Services): Pick<Handlers, AuditChannels> {
  return {
    // The active profile's audit source answers (the local store, or VictoriaLogs).
    'audit:query': async ({ filter, cursor, limit }) => {
      const page = await audit.source().page(filter, cursor, limit ?? 200);
      return { events: page.events.map(toView), nextCursor: page.nextCursor };
    },
    'audit:chart': async ({ filter }) => audit.source().histogram(filter),
    'audit:counts': async ({ filter }) => audit.source().counts(filter, COUNT_CAP),
    'audit:facets': async () => audit.source().facets(),
    'audit:events-by-id': async ({ ids }) => ({ events: (await audit.source().byIds(ids)).map(toView) }),
    'audit:alerts': async ({ filter }) => audit.alerts(filter),
    'audit:alert-settings': async () => audit.alertSettings(),
    'audit:set-alert-settings': async (s) => audit.setAlertSettings(s),
    'audit:stream-status': async () => audit.streamStatus(),
    'audit:stream-start': async ({ source }) => audit.startStream(source),
    'audit:stream-stop': async () => audit.stopStream(),
    // The renderer names no file: main's dialog picks what to import; main names the export.
    'audit:import': async () => audit.importChosen(),
    'audit:export': async ({ filter, format }) => audit.exportNamed(filter, format),
    'audit:approvals': async () => ({ approvals: await audit.approvals.list() }),
    'audit:request-delete': async ({ path, reason }) => audit.approvals.request(path, reason),
    'audit:approve-delete': async ({ id }) => audit.approvals.approve(id),
    'audit:delete-secret': async ({ id }) => audit.approvals.deleteSecret(id),
    'audit:archives': async () => audit.archives(),
    'audit:archive-month': async ({ month }) => audit.archiveMonth(month),
    'audit:reopen-month': async ({ month }) => audit.reopenMonth(month),
    'audit:set-retention': async (p) => {
      audit.setRetentionPolicy(p);
      return audit.archives();
    },
  };
}
