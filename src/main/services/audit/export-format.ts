// The console's own export formats (CSV, JSON document, NDJSON) and their reverse,
// so exported files can be imported again for offline review. Columns follow the
// viewer; event_key makes a re-import idempotent.
import type { AuditAction, AuditSource, AuditStatus, AuditSecretType } from '../../../shared/contracts/audit';
import { AUDIT_ACTIONS, AUDIT_SOURCES, AUDIT_STATUSES, AUDIT_SECRET_TYPES } from '../../../shared/contracts/audit';
import type { ApprovalWrite, AuditRecord } from './audit-record';

export const EXPORT_FORMAT_ID = 'vault-console-audit';
export const EXPORT_VERSION = 2;

/** Columns every export has had since version 1 (an import needs these). */
export const CSV_REQUIRED = [
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

/** Version 2 adds what Vault did beside what the client said, and the approval evidence. */
export const CSV_COLUMNS = [...CSV_REQUIRED, 'operation', 'mount', 'entity_id', 'console_header', 'header_conflict', 'approval_write'] as const;

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
  operation: string | null;
  mount: string | null;
  entity_id: string | null;
  console_header: string | null;
  header_conflict: string | null;
  approval_write: string | null;
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
    operation: r.operation,
    mount: r.mount,
    entity_id: r.entityId,
    console_header: r.consoleHeader,
    header_conflict: r.headerConflict ? 'true' : null,
    approval_write: r.approvalWrite ? JSON.stringify(r.approvalWrite) : null,
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
    operation: opt('operation')?.slice(0, 32) ?? null,
    mount: opt('mount')?.slice(0, 512) ?? null,
    entityId: opt('entity_id')?.slice(0, 64) ?? null,
    consoleHeader: opt('console_header')?.slice(0, 200) ?? null,
    headerConflict: e.header_conflict === true || opt('header_conflict') === 'true',
    approvalWrite: approvalWriteOf(opt('approval_write')),
  };
}

function approvalWriteOf(json: string | null): ApprovalWrite | null {
  if (!json) return null;
  try {
    const v = JSON.parse(json) as Partial<ApprovalWrite>;
    const s = (x: unknown) => (typeof x === 'string' ? x.slice(0, 1024) : null);
    if (typeof v.approvalId !== 'string' || !/^apr-[0-9a-f]{16}$/.test(v.approvalId) || typeof v.mount !== 'string') return null;
    return {
      approvalId: v.approvalId,
      mount: v.mount.slice(0, 512),
      policies: Array.isArray(v.policies) ? v.policies.filter((p): p is string => typeof p === 'string').slice(0, 64) : [],
      version: typeof v.version === 'number' && Number.isSafeInteger(v.version) ? v.version : null,
      recordStatus: s(v.recordStatus),
      recordPath: s(v.recordPath),
      ...(v.readFromVault === true ? { readFromVault: true } : {}),
    };
  } catch {
    return null;
  }
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
 * hold commas, quotes and line breaks. Caps a field at maxField characters and a
 * record at maxFields fields (a line of a million commas is one oversized record, not
 * an array of a million strings).
 */
export class CsvParser {
  private field = '';
  private record: string[] = [];
  private tooManyFields = false;
  private inQuotes = false;
  private quotePending = false;
  oversized = 0;

  constructor(
    private readonly maxField = 1 << 20,
    private readonly maxFields = 64,
  ) {}

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
    if (this.record.length < this.maxFields) this.record.push(this.field);
    else this.tooManyFields = true;
    this.field = '';
  }

  private emit(onRecord: (r: string[]) => void): void {
    const r = this.record;
    const tooMany = this.tooManyFields;
    this.record = [];
    this.tooManyFields = false;
    this.inQuotes = false;
    this.quotePending = false;
    if (tooMany) {
      this.oversized++;
      return;
    }
    if (r.length === 1 && r[0] === '') return;
    onRecord(r);
  }
}
