// The console tags its own Vault requests with an audited request header so that
// Vault's log names the console action (rotate, reveal, download, ...) and, for a
// deletion, the approval it was made under. Vault logs the header only when it is
// configured with sys/config/auditing/request-headers/x-vault-console-action
// (hmac=false, so the value is readable in the log; it never holds a secret).
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
}

const VALUE_RE = /^[A-Za-z0-9._-]{1,64}$/;

/** `action=delete;approval=apr-…;req=…`: only safe characters, so it can never inject into a log or CSV. */
export function formatConsoleTag(tag: ConsoleTag): string {
  const parts: string[] = [`action=${tag.action}`];
  if (tag.approval !== undefined) parts.push(`approval=${checked(tag.approval)}`);
  if (tag.req !== undefined) parts.push(`req=${checked(tag.req)}`);
  return parts.join(';');
}

function checked(v: string): string {
  if (!VALUE_RE.test(v)) throw new Error('console tag values are 1-64 characters of A-Z a-z 0-9 . _ -');
  return v;
}

/** Parses the header value as logged; unknown actions or junk give null (the entry keeps Vault's own action). */
export function parseConsoleTag(value: unknown): ConsoleTag | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (typeof raw !== 'string' || raw.length > 512) return null;
  const fields = new Map<string, string>();
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (VALUE_RE.test(v)) fields.set(k, v);
  }
  const action = fields.get('action');
  if (!action || !(CONSOLE_ACTIONS as readonly string[]).includes(action)) return null;
  const tag: ConsoleTag = { action: action as ConsoleAction };
  const req = fields.get('req');
  const approval = fields.get('approval');
  if (req) tag.req = req;
  if (approval) tag.approval = approval;
  return tag;
}

/** A fresh console request id and the audited header that carries it on the action's Vault requests. */
export function newConsoleTag(action: ConsoleAction, approvalId?: string): { requestId: string; headers: Record<string, string> } {
  const requestId = `vc-${randomBytes(8).toString('hex')}`;
  return { requestId, headers: { [CONSOLE_ACTION_HEADER]: formatConsoleTag({ action, req: requestId, ...(approvalId ? { approval: approvalId } : {}) }) } };
}
