// The audit feature's value lists and the alert threshold form's rules, without zod:
// the renderer imports them (one list, never a copy that drifts), the contract
// builds its schemas from them.
import type { AlertSettings } from '../contracts/audit';

export const AUDIT_ACTIONS = [
  'read',
  'read-metadata',
  'list',
  'write',
  'write-metadata',
  'delete',
  'rotate',
  'download',
  'reveal',
  'copy',
  'close',
  'lockout',
  'revoke',
  'emergency-reset',
  'request-approval',
  'approve',
  // Second-factor enrolment: a grant by another admin, then opening and activating it.
  'enrol-grant',
  'enrol',
  'login',
  'failed-login',
  'sys-critical',
  'decrypt',
  'unclassified',
  'other',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_SECRET_TYPES = ['ssh', 'smtp', 'api', 'dkim', 'profile', 'none'] as const;
export type AuditSecretType = (typeof AUDIT_SECRET_TYPES)[number];

export const AUDIT_STATUSES = ['ok', 'denied', 'error', 'not-found', 'pending'] as const;
export type AuditStatus = (typeof AUDIT_STATUSES)[number];

export const AUDIT_SOURCES = ['vault', 'console', 'import'] as const;
export type AuditSource = (typeof AUDIT_SOURCES)[number];

/**
 * One spelling of an identity name everywhere (stored events, the user filter of
 * the viewer, the CLI, alerts and exports): Vault compares userpass and LDAP names
 * case-insensitively, so names are case-folded; control and bidi-override
 * characters (which could make two names look alike on screen) are dropped.
 * Folding merges look-alike spellings, so it can only add alerts, never hide one.
 */
const PLAIN_NAME = /^[a-z0-9@._-]{0,256}$/;

export function normalizeUser(name: string): string {
  // Most names are plain already: no copy, no Unicode work.
  if (PLAIN_NAME.test(name)) return name;
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '').trim().toLowerCase().slice(0, 256);
}

/** A Vault policy name as the approving-policy setting accepts it. */
export const POLICY_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** The form's raw text fields, validated here so every mistake gets its own message. */
export interface AlertSettingsForm {
  failedAuthThreshold: string;
  failedAuthWindowMinutes: string;
  bulkReadThreshold: string;
  bulkReadWindowSeconds: string;
  offHoursStart: string;
  offHoursEnd: string;
  timeZone: string;
  wideReadThreshold: string;
  approverPolicy: string;
  approvalValidHours: string;
}

export function toAlertForm(s: AlertSettings): AlertSettingsForm {
  return {
    failedAuthThreshold: String(s.failedAuthThreshold),
    failedAuthWindowMinutes: String(s.failedAuthWindowMinutes),
    bulkReadThreshold: String(s.bulkReadThreshold),
    bulkReadWindowSeconds: String(s.bulkReadWindowSeconds),
    offHoursStart: String(s.offHoursStart),
    offHoursEnd: String(s.offHoursEnd),
    timeZone: s.timeZone,
    wideReadThreshold: String(s.wideReadThreshold),
    approverPolicy: s.approverPolicy,
    approvalValidHours: String(s.approvalValidHours),
  };
}

export function wholeNumber(raw: string, label: string, min: number, max: number): number | string {
  const t = raw.trim();
  const n = Number(t);
  if (t === '' || !/^\d+$/.test(t) || !Number.isSafeInteger(n) || n < min || n > max) {
    return `${label} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}.`;
  }
  return n;
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The settings, or the first problem in words a person can act on. */
export function validateAlertForm(f: AlertSettingsForm): { settings: AlertSettings } | { error: string } {
  const checks: [keyof AlertSettingsForm, string, number, number][] = [
    ['failedAuthThreshold', 'Failed sign-ins', 1, 10_000],
    ['failedAuthWindowMinutes', 'The failed sign-in window (minutes)', 1, 1440],
    ['bulkReadThreshold', 'Bulk reads', 1, 1_000_000],
    ['bulkReadWindowSeconds', 'The bulk read window (seconds)', 1, 3600],
    ['offHoursStart', 'Off-hours start (hour)', 0, 23],
    ['offHoursEnd', 'Off-hours end (hour)', 0, 24],
    ['wideReadThreshold', 'Distinct secrets read in a day', 1, 1_000_000],
    ['approvalValidHours', 'An approval is valid for (hours)', 1, 720],
  ];
  const out: Record<string, number> = {};
  for (const [key, label, min, max] of checks) {
    const v = wholeNumber(f[key], label, min, max);
    if (typeof v === 'string') return { error: v };
    out[key] = v;
  }
  if (out.offHoursStart === out.offHoursEnd) return { error: 'Off-hours start and end must differ.' };
  const timeZone = f.timeZone.trim();
  if (!timeZone || !isTimeZone(timeZone)) return { error: `${JSON.stringify(timeZone.slice(0, 64))} is not a time zone; use an IANA name such as Europe/Berlin or UTC.` };
  const approverPolicy = f.approverPolicy.trim();
  if (!POLICY_NAME_RE.test(approverPolicy) || approverPolicy === 'root') {
    return { error: `${JSON.stringify(approverPolicy.slice(0, 64))} is not a policy name an approver can hold (letters, digits, . _ -; not root).` };
  }
  return {
    settings: {
      failedAuthThreshold: out.failedAuthThreshold!,
      failedAuthWindowMinutes: out.failedAuthWindowMinutes!,
      bulkReadThreshold: out.bulkReadThreshold!,
      bulkReadWindowSeconds: out.bulkReadWindowSeconds!,
      offHoursStart: out.offHoursStart!,
      offHoursEnd: out.offHoursEnd!,
      timeZone,
      wideReadThreshold: out.wideReadThreshold!,
      approverPolicy,
      approvalValidHours: out.approvalValidHours!,
    },
  };
}
