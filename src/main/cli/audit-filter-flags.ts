// The audit filter as CLI flags (-tenant, -secret-type, -action, -user, -from, -to, -text):
// one reading for every command that takes it (audit query/alerts/export, evidence export),
// so a filter means the same wherever it is typed. Values are checked by the contract's
// schema where the filter is used.
import type { AuditFilter } from '../../shared/contracts/audit';
import type { FlagValues } from './args';

export function auditFilterFromFlags(flags: FlagValues): AuditFilter {
  const f: AuditFilter = {};
  const s = (k: string) => (typeof flags[k] === 'string' && flags[k] !== '' ? (flags[k] as string) : undefined);
  if (s('tenant')) f.tenant = s('tenant');
  if (s('secret-type')) f.secretType = s('secret-type') as AuditFilter['secretType'];
  if (s('action')) f.action = s('action') as AuditFilter['action'];
  if (s('user')) f.user = s('user');
  if (s('from')) f.from = s('from');
  if (s('to')) f.to = s('to');
  if (s('text')) f.text = s('text');
  return f;
}
