// The console's own export formats (CSV, JSON document, NDJSON) and their reverse,
// so exported files can be imported again for offline review. Columns follow the
// viewer; event_key makes a re-import idempotent.
import type { AuditAction, AuditSource, AuditStatus, AuditSecretType } from '../../../shared/contracts/audit';
import { AUDIT_ACTIONS, AUDIT_SOURCES, AUDIT_STATUSES, AUDIT_SECRET_TYPES } from '../../../shared/contracts/audit';
import type { AuditRecord } from './audit-record';

export const EXPORT_FORMAT_ID = 'vault-console-audit';
export const EXPORT_VERSION = 1;

export const CSV_COLUMNS = [
  'event_key',
  'timestamp',
  'action',
  'tenant',
  'user',
  'secret_type',
  'ip_address',
  'status',
  'path',
  'source',
  'request_id',
  'approval_id',
  'error',
] as const;

export interface ExportedEvent {
  event_key: string;
  timestamp: string;
  action: string;
  tenant: string | null;
  user: string;
  secret_type: string;
  ip_address: string;
  status: string;
  path: string;
  source: string;
  request_id: string;
  approval_id: string | null;
  error: string | null;
}

export function toExported(r: AuditRecord): ExportedEvent {
  return {
    event_key: r.key,
    timestamp: new Date(r.ts).toISOString(),
    action: r.action,
    tenant: r.tenant,
    user: r.user,
    secret_type: r.secretType,
    ip_address: r.ip,
    status: r.status,
    path: r.path,
    source: r.source,
    request_id: r.requestId,
    approval_id: r.approvalId,
    error: r.error,
  };
}

/** Back from an exported row; null when a field is missing or not one we know. */
export function fromExported(e: Partial<Record<string, unknown>>): AuditRecord | null {
  const s = (k: string): string | null => (typeof e[k] === 'string' ? (e[k] as string) : e[k] === null || e[k] === undefined ? null : null);
  const key = s('event_key');
  const ts = Date.parse(s('timestamp') ?? '');
  const action = s('action');
  const secretType = s('secret_type');
  const status = s('status');
  const source = s('source');
  if (!key || !Number.isFinite(ts)) return null;
  if (!action || !(AUDIT_ACTIONS as readonly string[]).includes(action)) return null;
  if (!secretType || !(AUDIT_SECRET_TYPES as readonly string[]).includes(secretType)) return null;
  if (!status || !(AUDIT_STATUSES as readonly string[]).includes(status)) return null;
  if (!source || !(AUDIT_SOURCES as readonly string[]).includes(source)) return null;
  const opt = (k: string) => {
    const v = s(k);
    return v === null || v === '' ? null : v;
  };
  return {
    key: key.slice(0, 200),
    ts,
    action: action as AuditAction,
    tenant: opt('tenant'),
    user: s('user') ?? '',
    secretType: secretType as AuditSecretType,
    ip: s('ip_address') ?? '',
    status: status as AuditStatus,
    path: s('path') ?? '',
    source: source as AuditSource,
    requestId: s('request_id') ?? '',
    approvalId: opt('approval_id'),
    error: opt('error'),
  };
}

// Spreadsheet formula injection (OWASP "CSV injection"): a cell that starts with
// = + - @ (or tab / CR, which some spreadsheets skip) is prefixed with a quote.
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | null): string {
  let v = value ?? '';
  if (FORMULA_START.test(v)) v = `'${v}`;
  // RFC 4180: quote a field holding a comma, quote, CR or LF; double inner quotes.
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvRow(e: ExportedEvent): string {
  return `${CSV_COLUMNS.map((c) => csvCell(e[c])).join(',')}\r\n`;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

/** Undo the formula neutralisation on import. */
export function unneutralise(v: string): string {
  return /^'[=+\-@\t\r]/.test(v) ? v.slice(1) : v;
}

/**
 * Incremental RFC 4180 parser: feed text, get complete records. Quoted fields may
 * hold commas, quotes and line breaks. Caps a field at maxField characters.
 */
export class CsvParser {
  private field = '';
  private record: string[] = [];
  private inQuotes = false;
  private quotePending = false;
  oversized = 0;

  constructor(private readonly maxField = 1 << 20) {}

  push(text: string, onRecord: (r: string[]) => void): void {
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (this.inQuotes) {
        if (this.quotePending) {
          this.quotePending = false;
          if (c === '"') {
            this.add(c);
            continue;
          }
          this.inQuotes = false;
          // fall through: c is handled as outside quotes
        } else if (c === '"') {
          this.quotePending = true;
          continue;
        } else {
          this.add(c);
          continue;
        }
      }
      if (c === '"' && this.field === '') this.inQuotes = true;
      else if (c === ',') this.endField();
      else if (c === '\n') {
        this.endField();
        this.emit(onRecord);
      } else if (c !== '\r') this.add(c);
    }
  }

  end(onRecord: (r: string[]) => void): { unterminated: boolean } {
    const unterminated = this.inQuotes && !this.quotePending;
    if (this.field !== '' || this.record.length > 0) {
      this.endField();
      this.emit(onRecord);
    }
    return { unterminated };
  }

  private add(c: string): void {
    if (this.field.length < this.maxField) this.field += c;
    else if (this.field.length === this.maxField) {
      this.oversized++;
      this.field += '…';
    }
  }

  private endField(): void {
    this.record.push(this.field);
    this.field = '';
  }

  private emit(onRecord: (r: string[]) => void): void {
    const r = this.record;
    this.record = [];
    this.inQuotes = false;
    this.quotePending = false;
    if (r.length === 1 && r[0] === '') return;
    onRecord(r);
  }
}
