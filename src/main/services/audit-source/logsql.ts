// The viewer's filter as LogsQL (VictoriaLogs' query language), with the same meaning
// the local store gives it (audit-query.ts): exact tenant, secret type, action and
// normalised user; inclusive time bounds; free text as a case-insensitive substring of
// path, IP, error, user or tenant. Every value is quoted here: nothing the user types
// is ever spliced into a query unquoted.
import { AppError } from '../../../shared/errors';
import { AUDIT_ACTIONS, normalizeUser, type AuditFilter } from '../../../shared/contracts/audit';
import { parseFilterTime } from '../storage/audit-repo';
import { SEARCH_SEPARATOR } from './event-fields';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A LogsQL string literal (Go's double-quoted syntax, which JSON's is a subset of). */
export function quote(s: string): string {
  // A lone surrogate is not UTF-8: VictoriaLogs would refuse the whole query.
  return JSON.stringify(s.replace(LONE_SURROGATE, '\uFFFD'));
}

/** RE2 (Go regexp) with every metacharacter escaped. */
function regexLiteral(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, (c) => `\\${c}`);
}

export function isoMs(ts: number): string {
  return new Date(ts).toISOString();
}

/** `_time` bounds (inclusive, like the local store); for partition pruning. */
export function timeRange(from: number | undefined, to: number | undefined): string {
  if (from !== undefined && to !== undefined) return `_time:[${isoMs(from)}, ${isoMs(to)}]`;
  if (from !== undefined) return `_time:>=${isoMs(from)}`;
  if (to !== undefined) return `_time:<=${isoMs(to)}`;
  return '';
}

/** Names the event lines use themselves (event-fields.ts): a stream field may not take one. */
const EVENT_FIELDS = new Set(['key', 'id', 'ts', 'action', 'tenant', 'user', 'secret_type', 'ip', 'status', 'path', 'source', 'request_id', 'approval_id', 'error', 'operation', 'mount', 'entity_id', 'accessor', 'console_header', 'header_conflict', 'approval_write', 'ident', 'hour', 'housekeeping']);
const STREAM_NAME = /^[A-Za-z_][A-Za-z0-9_.]{0,63}$/;
const STREAM_VALUE = /^[A-Za-z0-9_.:\-/]{1,128}$/;

/**
 * A stream filter for one cluster's events: `{name="value", ...}`, names and values
 * from a small alphabet (checked, then re-quoted: the setting is never spliced in as typed).
 */
export function parseStreamFilter(raw: string): Record<string, string> {
  const t = raw.trim();
  if (t === '' || t === '{}') return {};
  const m = /^\{(.*)\}$/s.exec(t);
  if (!m) throw new AppError('BAD_INPUT', 'The stream filter must look like {cluster="prod-eu"} (name="value" pairs in braces).');
  const out: Record<string, string> = {};
  for (const part of m[1]!.split(',')) {
    const kv = /^\s*([^=\s]+)\s*=\s*"([^"]*)"\s*$/.exec(part);
    if (!kv || !STREAM_NAME.test(kv[1]!) || !STREAM_VALUE.test(kv[2]!)) {
      throw new AppError('BAD_INPUT', 'Each part of the stream filter is name="value": a name of letters, digits, _ and . and a value of letters, digits and . _ : - / (up to 128).');
    }
    const name = kv[1]!;
    if (name.startsWith('_') || EVENT_FIELDS.has(name) || name in out) throw new AppError('BAD_INPUT', `The stream filter names ${JSON.stringify(name)} twice or uses a name an event field has.`);
    out[name] = kv[2]!;
  }
  if (Object.keys(out).length > 8) throw new AppError('BAD_INPUT', 'The stream filter has more than 8 fields.');
  return out;
}

export function streamSelector(stream: Readonly<Record<string, string>>): string {
  const parts = Object.entries(stream).map(([k, v]) => `${k}=${quote(v)}`);
  return parts.length ? `{${parts.join(', ')}}` : '';
}

/**
 * Only the console's event lines: a known action (a low-cardinality column, cheap to
 * filter). Anything else in the selected streams (the raw copy an agent ships) is never
 * counted, charted or paged. A line with an action but no key, or a ts that is not its
 * _time, is refused where events are read (fromEventDoc, the page walk counts it toward the
 * page so it never cuts one short). Filtering on the key and ts columns here too cost each
 * search a read of both (facets at 50,000,000 events: 2.8 s → 9.3 s) and protects nothing a
 * poster could not also fake.
 */
export const OURS = `action:in(${AUDIT_ACTIONS.map((a) => quote(a)).join(',')})`;

/** The stream selector and OURS: what every query over events starts with. */
export function eventSelector(stream: Readonly<Record<string, string>>): string {
  return [streamSelector(stream), OURS].filter(Boolean).join(' ');
}

/** field:="value" */
export function eq(field: string, value: string): string {
  return `${field}:=${quote(value)}`;
}

/** Free text: the lower-cased search text holds the value (one substring filter); field by field when the text spans lines. */
export function textFilter(text: string): string {
  const lc = text.toLowerCase();
  if (!lc.includes(SEARCH_SEPARATOR)) return `_msg:*${quote(lc)}*`;
  const re = quote(`(?i)${regexLiteral(text)}`);
  return `(${['path', 'ip', 'error', 'user', 'tenant'].map((f) => `${f}:~${re}`).join(' or ')})`;
}

export interface BuiltFilter {
  /** LogsQL filter expression (no pipes); "*" when nothing narrows. */
  q: string;
  from: number | undefined;
  to: number | undefined;
}

/** The filter as LogsQL, with the stream selector first. */
export function filterQuery(raw: AuditFilter, stream: Readonly<Record<string, string>>, extra: readonly string[] = []): BuiltFilter {
  const from = parseFilterTime(raw.from, 'from');
  const to = parseFilterTime(raw.to, 'to');
  if (from !== undefined && to !== undefined && from > to) throw new AppError('BAD_INPUT', 'The date range ends before it starts.');
  const parts: string[] = [];
  parts.push(eventSelector(stream));
  const range = timeRange(from, to);
  if (range) parts.push(range);
  if (raw.tenant) parts.push(eq('tenant', raw.tenant));
  if (raw.secretType) parts.push(eq('secret_type', raw.secretType));
  if (raw.action) parts.push(eq('action', raw.action));
  // One meaning of the user filter everywhere: the exact normalised name.
  const user = raw.user === undefined ? '' : normalizeUser(raw.user);
  if (user) parts.push(eq('user', user));
  if (raw.text) parts.push(textFilter(raw.text));
  // Hidden only where the line says so (event-fields.ts): a line that does not say is shown.
  // A path holding a NUL is never housekeeping (audit/housekeeping.ts); lines forwarded before
  // that rule may still say "1" for one, so such a path is shown whatever its line says.
  if (raw.hideHousekeeping) parts.push(`-(${eq('housekeeping', '1')} -path:*${quote('\u0000')}*)`);
  parts.push(...extra);
  return { q: parts.join(' '), from, to };
}
