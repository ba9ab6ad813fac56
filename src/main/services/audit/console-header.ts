// The console tags its own Vault requests with an audited request header so that
// Vault's log names the console action (rotate, reveal, download, ...) beside what
// Vault did. Vault logs the header only when it is configured with
// sys/config/auditing/request-headers/x-vault-console-action (hmac=false, so the
// value is readable in the log; it never holds a secret).
//
// Any client can send this header with any value: it is an annotation, never the
// event's action, and it approves nothing. What Vault did (mount, path, operation,
// status) is the action; a header that names something Vault's operation
// contradicts is itself a red alert (see headerContradicts).
import { randomBytes } from 'node:crypto';
import type { AuditAction } from '../../../shared/contracts/audit';

export const CONSOLE_ACTION_HEADER = 'X-Vault-Console-Action';
export const CONSOLE_ACTION_HEADER_KEY = CONSOLE_ACTION_HEADER.toLowerCase();

export const CONSOLE_ACTIONS = ['rotate', 'reveal', 'copy', 'close', 'lockout', 'download', 'revoke', 'emergency-reset', 'delete', 'request-approval', 'approve', 'enrol-grant', 'enrol'] as const;
export type ConsoleAction = (typeof CONSOLE_ACTIONS)[number] & AuditAction;

export interface ConsoleTag {
  action: ConsoleAction;
  /** The console's own event id, to join Vault's entry with the console's record. */
  req?: string;
  approval?: string;
  /** The incident the action was made under (incident response jobs, emergency resets). */
  incident?: string;
}

const VALUE_RE = /^[A-Za-z0-9._-]{1,64}$/;

/** `action=delete;approval=apr-…;req=…[;incident=INC-…]`: only safe characters, so it can never inject into a log or CSV. */
export function formatConsoleTag(tag: ConsoleTag): string {
  const parts: string[] = [`action=${tag.action}`];
  if (tag.approval !== undefined) parts.push(`approval=${checked(tag.approval)}`);
  if (tag.req !== undefined) parts.push(`req=${checked(tag.req)}`);
  if (tag.incident !== undefined) parts.push(`incident=${checked(tag.incident)}`);
  return parts.join(';');
}

function checked(v: string): string {
  if (!VALUE_RE.test(v)) throw new Error('console tag values are 1-64 characters of A-Z a-z 0-9 . _ -');
  return v;
}

/** One header value; unknown actions or junk give null. */
function parseOne(raw: unknown): ConsoleTag | null {
  if (typeof raw !== 'string' || raw.length > 512) return null;
  const fields = new Map<string, string>();
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    // The first value of a field counts: a repeated "action=" cannot swap what was parsed.
    if (VALUE_RE.test(v) && !fields.has(k)) fields.set(k, v);
  }
  const action = fields.get('action');
  if (!action || !(CONSOLE_ACTIONS as readonly string[]).includes(action)) return null;
  const tag: ConsoleTag = { action: action as ConsoleAction };
  const req = fields.get('req');
  const approval = fields.get('approval');
  const incident = fields.get('incident');
  if (req) tag.req = req;
  if (approval) tag.approval = approval;
  if (incident) tag.incident = incident;
  return tag;
}

/** The first value that names a console action (the header as logged is an array of values). */
export function parseConsoleTag(value: unknown): ConsoleTag | null {
  for (const v of headerValues(value)) {
    const t = parseOne(v);
    if (t) return t;
  }
  return null;
}

/** Every console action the header's values name (a client may send the header several times). */
export function parseConsoleTags(value: unknown): ConsoleTag[] {
  return headerValues(value)
    .map(parseOne)
    .filter((t): t is ConsoleTag => t !== null);
}

function headerValues(value: unknown): unknown[] {
  return Array.isArray(value) ? value.slice(0, 16) : value === undefined || value === null ? [] : [value];
}

/**
 * The header as logged, for the viewer and exports: values joined with " | ",
 * control characters dropped, at most 200 characters. null when absent.
 */
export function consoleHeaderText(value: unknown): string | null {
  const vals = headerValues(value).filter((v): v is string => typeof v === 'string');
  if (vals.length === 0) return null;
  // eslint-disable-next-line no-control-regex
  const text = vals.join(' | ').replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/**
 * What each console action may do in Vault (the classes of its requests): the
 * reveal reads one secret (and signs in again, checks the TOTP code and revokes
 * its token); a download reads a key and notes the download in custom_metadata;
 * a rotation may read a stale secret and writes data and metadata; a delete
 * deletes; approvals write their record; enrolment writes a grant or an activation. copy, close and lockout never reach Vault.
 */
const ALLOWED: Record<ConsoleAction, readonly AuditAction[]> = {
  reveal: ['read', 'read-metadata', 'list', 'login', 'failed-login', 'other'],
  download: ['read', 'read-metadata', 'write-metadata'],
  revoke: ['read-metadata', 'write-metadata'],
  rotate: ['read', 'read-metadata', 'list', 'write', 'write-metadata'],
  'emergency-reset': ['read', 'read-metadata', 'list', 'write', 'write-metadata'],
  delete: ['delete'],
  'request-approval': ['write'],
  approve: ['write'],
  // A grant writes a response-wrapped TOTP key (a TOTP request) and its record (KV);
  // enrolling unwraps it, checks a code and writes the activation (KV): no delete.
  'enrol-grant': ['read', 'read-metadata', 'list', 'write', 'write-metadata', 'other'],
  enrol: ['read', 'read-metadata', 'list', 'write', 'write-metadata', 'login', 'failed-login', 'other'],
  copy: [],
  close: [],
  lockout: [],
};

/** True when the header names an action that Vault's own class of the request contradicts. */
export function headerContradicts(tag: ConsoleTag, vaultAction: AuditAction): boolean {
  return !ALLOWED[tag.action].includes(vaultAction);
}

/** Console actions that touch one secret at a time: a bulk of reads tagged with one is a lie. */
export const SINGLE_SECRET_ACTIONS: ReadonlySet<string> = new Set(['reveal', 'download', 'copy', 'close', 'lockout']);

/** A fresh console request id and the audited header that carries it on the action's Vault requests. */
export function newConsoleTag(action: ConsoleAction, approvalId?: string, incidentId?: string): { requestId: string; headers: Record<string, string> } {
  const requestId = `vc-${randomBytes(8).toString('hex')}`;
  return {
    requestId,
    headers: { [CONSOLE_ACTION_HEADER]: formatConsoleTag({ action, req: requestId, ...(approvalId ? { approval: approvalId } : {}), ...(incidentId ? { incident: incidentId } : {}) }) },
  };
}
