// Pure rotation rules shared by main, the CLI and the renderer: what can be rotated,
// how reasons and incident ids are validated, schedules and grace periods, DKIM
// selectors and whether a previous credential is still inside its grace period.
// docs/rotation.md explains each rule.

export const ROTATABLE_TYPES = ['ssh', 'smtp', 'dkim', 'api'] as const;
export type RotatableType = (typeof ROTATABLE_TYPES)[number];

/** A target as the CLI and the UI name it. */
export type TargetKind = 'ssh-admin' | 'ssh-tenant' | 'smtp' | 'dkim' | 'api';

export interface ParsedTarget {
  kind: TargetKind;
  type: RotatableType;
  /** Path relative to the mount, e.g. "t-000042/dkim/mail.example.com". */
  path: string;
  /** The domain (dkim) or key id (api). */
  name: string | null;
}

export class RuleError extends Error {}

const TENANT_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;
const KEY_ID_RE = /^ak_[0-9a-z]{8,32}$/;

export function checkTenantId(tenantId: string): string {
  if (!TENANT_RE.test(tenantId)) throw new RuleError(`Not a tenant id: ${JSON.stringify(tenantId.slice(0, 60))}.`);
  return tenantId;
}

/** "ssh-admin" | "ssh-tenant" | "smtp" | "dkim:<domain>" | "api:<keyId>" → path. */
export function parseTarget(tenantId: string, target: string): ParsedTarget {
  checkTenantId(tenantId);
  const t = target.trim();
  if (t === 'ssh-admin') return { kind: 'ssh-admin', type: 'ssh', path: `${tenantId}/ssh/admin`, name: null };
  if (t === 'ssh-tenant') return { kind: 'ssh-tenant', type: 'ssh', path: `${tenantId}/ssh/tenant`, name: null };
  if (t === 'smtp') return { kind: 'smtp', type: 'smtp', path: `${tenantId}/smtp/admin`, name: null };
  if (t.startsWith('dkim:')) {
    const domain = t.slice(5).toLowerCase();
    if (!DOMAIN_RE.test(domain)) throw new RuleError(`Not a mail domain: ${JSON.stringify(t.slice(5, 80))}.`);
    return { kind: 'dkim', type: 'dkim', path: `${tenantId}/dkim/${domain}`, name: domain };
  }
  if (t.startsWith('api:')) {
    const keyId = t.slice(4);
    if (!KEY_ID_RE.test(keyId)) throw new RuleError(`Not an API key id (ak_ + 8-32 lowercase letters/digits): ${JSON.stringify(keyId.slice(0, 60))}.`);
    return { kind: 'api', type: 'api', path: `${tenantId}/api/${keyId}`, name: keyId };
  }
  throw new RuleError(`Unknown target ${JSON.stringify(t.slice(0, 60))}: use ssh-admin, ssh-tenant, smtp, dkim:<domain> or api:<keyId>.`);
}

/** The inverse of parseTarget for a layout path (relative to the mount); null for anything not rotatable. */
export function targetOfPath(path: string): ParsedTarget | null {
  const seg = path.split('/');
  if (seg.length !== 3) return null;
  const [tenantId, folder, leaf] = seg as [string, string, string];
  try {
    if (folder === 'ssh' && (leaf === 'admin' || leaf === 'tenant')) return parseTarget(tenantId, `ssh-${leaf}`);
    if (folder === 'smtp' && leaf === 'admin') return parseTarget(tenantId, 'smtp');
    if (folder === 'dkim') return parseTarget(tenantId, `dkim:${leaf}`);
    if (folder === 'api') return parseTarget(tenantId, `api:${leaf}`);
  } catch {
    return null;
  }
  return null;
}

export const REASON_MAX_BYTES = 400;

/** A reason is required: trimmed, one line, at most 400 UTF-8 bytes (a custom_metadata value holds 512). */
export function checkReason(reason: string | undefined | null): string {
  const r = (reason ?? '').replace(/\s+/g, ' ').trim();
  if (r === '') throw new RuleError('A reason is required.');
  if (new TextEncoder().encode(r).length > REASON_MAX_BYTES) throw new RuleError(`The reason is longer than ${REASON_MAX_BYTES} bytes.`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(r)) throw new RuleError('The reason contains control characters.');
  return r;
}

/** Incident ids as ticketing systems write them: INC-2041, SEC-17, SIRT-2026-004. */
export const INCIDENT_ID_RE = /^[A-Z][A-Z0-9]{1,9}(-[0-9]{1,10}){1,2}$/;

export function checkIncidentId(id: string | undefined | null): string {
  const v = (id ?? '').trim();
  if (v === '') throw new RuleError('An incident ID is required for an emergency reset.');
  if (!INCIDENT_ID_RE.test(v)) throw new RuleError(`Malformed incident ID ${JSON.stringify(v.slice(0, 40))}: expected something like INC-2041 or SIRT-2026-004.`);
  return v;
}

// ---- schedules and grace periods ----------------------------------------------------

export interface RotationSchedules {
  /** Rotation period in days per type. */
  days: Record<RotatableType, number>;
  /** Grace period in hours: how long the previous SSH key / DKIM selector stays valid. */
  graceHours: { ssh: number; dkim: number };
}

export const DEFAULT_SCHEDULES: RotationSchedules = {
  days: { ssh: 90, smtp: 180, dkim: 365, api: 365 },
  graceHours: { ssh: 24, dkim: 48 },
};

/** Spec: SSH custom 30-365 days; the others are "Custom" too, bounded the same way up to two years. */
export const DAYS_RANGE: Record<RotatableType, [number, number]> = {
  ssh: [30, 365],
  smtp: [30, 730],
  dkim: [30, 730],
  api: [30, 730],
};
export const GRACE_RANGE: Record<'ssh' | 'dkim', [number, number]> = {
  ssh: [1, 168],
  dkim: [1, 336],
};

/** Throws a RuleError naming the first bad value; returns a normalised copy. */
export function checkSchedules(s: RotationSchedules): RotationSchedules {
  const out: RotationSchedules = { days: { ...DEFAULT_SCHEDULES.days }, graceHours: { ...DEFAULT_SCHEDULES.graceHours } };
  for (const t of ROTATABLE_TYPES) {
    const v = s.days[t];
    const [lo, hi] = DAYS_RANGE[t];
    if (!Number.isInteger(v) || v < lo || v > hi) throw new RuleError(`${t.toUpperCase()} rotation period must be a whole number of days from ${lo} to ${hi}.`);
    out.days[t] = v;
  }
  for (const t of ['ssh', 'dkim'] as const) {
    const v = s.graceHours[t];
    const [lo, hi] = GRACE_RANGE[t];
    if (!Number.isInteger(v) || v < lo || v > hi) throw new RuleError(`${t.toUpperCase()} grace period must be a whole number of hours from ${lo} to ${hi}.`);
    out.graceHours[t] = v;
  }
  return out;
}

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

export function nextRotation(lastRotatedMs: number, days: number): string {
  return new Date(lastRotatedMs + days * DAY_MS).toISOString();
}

// ---- DKIM selectors -------------------------------------------------------------------

/**
 * pm<YYYYMM> of the rotation month (the layout's convention); a second rotation in the
 * same month gets a letter (pm202603b, pm202603c, ...) so every rotation has a new selector.
 */
export function nextDkimSelector(nowMs: number, taken: ReadonlyArray<string | null | undefined>): string {
  const d = new Date(nowMs);
  const base = `pm${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  const used = new Set(taken.filter((x): x is string => typeof x === 'string'));
  if (!used.has(base)) return base;
  for (let c = 98; c <= 122; c++) {
    const s = `${base}${String.fromCharCode(c)}`;
    if (!used.has(s)) return s;
  }
  // More than 25 rotations in a month: fall back to the day and time.
  return `${base}${String(d.getUTCDate()).padStart(2, '0')}${String(d.getUTCHours()).padStart(2, '0')}${String(d.getUTCMinutes()).padStart(2, '0')}${String(d.getUTCSeconds()).padStart(2, '0')}`;
}

// ---- grace ----------------------------------------------------------------------------

export type PreviousState = 'none' | 'grace' | 'retired';

/** Whether the previous credential is still valid: only while now < grace_until. */
export function previousState(md: Record<string, string | undefined>, nowMs: number): PreviousState {
  if (md.previous_status === 'retired') return 'retired';
  const until = Date.parse(md.grace_until ?? '');
  if (Number.isNaN(until)) return md.previous_fingerprint || md.previous_selector ? 'retired' : 'none';
  return nowMs < until ? 'grace' : 'retired';
}

/** The overdue rule of the bulk "Rotate Overdue Secrets": expired, or active and past next_rotation. */
export function isOverdue(md: Record<string, string | undefined>, nowMs: number): boolean {
  if (md.status === 'revoked') return false;
  if (md.status === 'expired') return true;
  const next = Date.parse(md.next_rotation ?? '');
  return !Number.isNaN(next) && next < nowMs;
}

/** The typed confirmation a bulk job needs: "ROTATE <count>". */
export function confirmPhrase(count: number): string {
  return `ROTATE ${count}`;
}

// ---- bulk jobs --------------------------------------------------------------------------

/**
 * Bulk jobs never rotate API keys: Vault keeps only the new key's hash, so the key itself
 * must be handed to someone (shown once), which a job of hundreds cannot do.
 */
export function rotatableInBulk(type: RotatableType): boolean {
  return type !== 'api';
}

export const ONE_BY_ONE_NOTE = 'rotate one by one (the new key is shown once)';

/** The per-secret part of the tenant list's filter (its search picks the tenants). */
export interface SecretFilter {
  type: 'all' | RotatableType;
  status?: 'active' | 'expired' | 'revoked';
  due?: '7d' | '30d' | 'overdue';
}

/**
 * Whether one secret makes the tenant list's filter match: its type, its status, and its
 * due window as the list computes them (overdue = expired or active and past next_rotation;
 * next 7 / 30 days = active with next_rotation from now to then). Revoked secrets never
 * rotate.
 */
export function matchesFilter(f: SecretFilter, type: RotatableType, md: Record<string, string | undefined>, nowMs: number): boolean {
  if (f.type !== 'all' && f.type !== type) return false;
  if (md.status === 'revoked') return false;
  if (f.status && md.status !== f.status) return false;
  if (!f.due) return true;
  if (f.due === 'overdue') return isOverdue(md, nowMs);
  if (md.status !== 'active') return false;
  const next = Date.parse(md.next_rotation ?? '');
  return !Number.isNaN(next) && next >= nowMs && next <= nowMs + (f.due === '7d' ? 7 : 30) * DAY_MS;
}

/** Whether a filter selects by metadata that can change without a new version (status, due dates). */
export function filterDependsOnMetadata(f: SecretFilter): boolean {
  return f.status !== undefined || f.due !== undefined;
}
