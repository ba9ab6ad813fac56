// Turns one path's KV v2 metadata (as Vault returns it) into an index entry. Pure.
// A secret whose custom_metadata is missing or malformed is kept with status
// "unknown" and the reason, so the sync goes on and the UI can say why.
import { stampOfMetadata } from '../vault/kv';
export type IndexedType = 'profile' | 'ssh' | 'smtp' | 'api' | 'dkim' | 'other';
export type IndexedStatus = 'active' | 'expired' | 'revoked' | 'unknown';

/** The subset of a KV v2 metadata response the index uses (identical in LIST-detailed and GET). */
export interface RawMetadata {
  current_version?: number;
  current_metadata_version?: number;
  updated_time?: string;
  created_time?: string;
  custom_metadata?: Record<string, unknown> | null;
  versions?: Record<string, { created_time?: string; deletion_time?: string; destroyed?: boolean }>;
}

export interface IndexedVersion {
  version: number;
  createdTime: string;
  deletionTime: string;
  destroyed: boolean;
}

export interface IndexedSecret {
  /** Relative to the mount: "<tenantId>/ssh/admin". */
  path: string;
  type: IndexedType;
  /** admin | tenant | <keyId> | <domain> | profile */
  name: string;
  status: IndexedStatus;
  lastRotated: string | null;
  nextRotationMs: number | null;
  currentVersion: number;
  updatedTime: string;
  metadata: Record<string, string>;
  versions: IndexedVersion[];
  problem: string | null;
}

// Only documented, non-secret custom_metadata keys enter the index (docs/vault-layout.md):
// whatever else someone put there stays in Vault.
export const INDEXED_KEYS = new Set([
  'schema', 'type', 'source', 'status', 'last_rotated', 'next_rotation', 'rotation_days', 'grace_until',
  'fingerprint', 'last_downloaded', 'webmail_url', 'prefix', 'permissions', 'rate_limit', 'created',
  'last_used', 'request_count', 'selector', 'domain', 'tenant_name', 'vps_ip', 'domains',
  'rotated_by', 'rotation_reason', 'changed_at', 'revoked_at', 'revoked_by',
]);

const STATUSES = new Set(['active', 'expired', 'revoked']);
const MAX_VALUE = 512;

/** Where a path sits in the layout: type and name, from the segments after the tenant id. */
export function placeOf(rel: string): { type: IndexedType; name: string } {
  const segs = rel.split('/');
  if (segs.length === 1 && segs[0] === 'profile') return { type: 'profile', name: 'profile' };
  if (segs.length === 2) {
    const [folder, name] = segs as [string, string];
    if (folder === 'ssh' && (name === 'admin' || name === 'tenant')) return { type: 'ssh', name };
    if (folder === 'smtp' && name === 'admin') return { type: 'smtp', name };
    if (folder === 'api') return { type: 'api', name };
    if (folder === 'dkim') return { type: 'dkim', name };
  }
  return { type: 'other', name: rel };
}

function isoOrNull(v: string | undefined): string | null {
  if (v === undefined || v === '') return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

export function normalizeSecret(tenantId: string, rel: string, raw: RawMetadata): IndexedSecret {
  const { type, name } = placeOf(rel);
  const md: Record<string, string> = {};
  const custom = raw.custom_metadata;
  if (custom && typeof custom === 'object') {
    for (const [k, v] of Object.entries(custom)) {
      if (INDEXED_KEYS.has(k) && typeof v === 'string') md[k] = v.slice(0, MAX_VALUE);
    }
  }
  const versions: IndexedVersion[] = Object.entries(raw.versions ?? {})
    .map(([v, info]) => ({ version: Number(v), createdTime: info?.created_time ?? '', deletionTime: info?.deletion_time ?? '', destroyed: Boolean(info?.destroyed) }))
    .filter((v) => Number.isInteger(v.version))
    .sort((a, b) => a.version - b.version);
  const base: IndexedSecret = {
    path: `${tenantId}/${rel}`,
    type,
    name,
    status: 'unknown',
    lastRotated: isoOrNull(md.last_rotated),
    nextRotationMs: null,
    currentVersion: Number.isInteger(raw.current_version) ? raw.current_version! : 0,
    updatedTime: raw.updated_time ?? '',
    metadata: md,
    versions,
    problem: null,
  };
  const problem = problemOf(type, md, custom);
  if (problem) return { ...base, problem };
  if (type === 'profile') return { ...base, status: 'active' };
  const next = Date.parse(md.next_rotation ?? '');
  return { ...base, status: md.status as IndexedStatus, nextRotationMs: next };
}

function problemOf(type: IndexedType, md: Record<string, string>, custom: unknown): string | null {
  if (type === 'other') return 'path is not part of the documented layout';
  if (!custom || typeof custom !== 'object' || Object.keys(custom).length === 0) return 'custom_metadata is missing';
  if (md.schema !== undefined && md.schema !== '1') return `custom_metadata schema "${md.schema.slice(0, 20)}" is not supported (expected 1)`;
  if (md.type !== undefined && md.type !== type) return `custom_metadata type "${md.type.slice(0, 20)}" does not match the path (${type})`;
  if (type === 'profile') return null;
  if (md.status === undefined) return 'custom_metadata has no status';
  if (!STATUSES.has(md.status)) return `status "${md.status.slice(0, 20)}" is not active, expired or revoked`;
  if (md.next_rotation === undefined) return 'custom_metadata has no next_rotation';
  if (Number.isNaN(Date.parse(md.next_rotation))) return 'next_rotation is not a valid date';
  if (md.last_rotated !== undefined && Number.isNaN(Date.parse(md.last_rotated))) return 'last_rotated is not a valid date';
  return null;
}

/** The profile's change stamp: any metadata or data write moves at least one part. */
export function stampOf(raw: RawMetadata | null): string {
  return raw ? stampOfMetadata(raw) : '';
}

export interface IndexedTenant {
  tenantId: string;
  name: string;
  vpsIp: string;
  vpsIpSort: string;
  domains: string[];
  apiCount: number;
  dkimCount: number;
  lastRotation: string | null;
  ssh: ColumnAggregate;
  smtp: ColumnAggregate;
  /** Earliest next_rotation (ms) of the active API keys / DKIM keys. */
  apiNext: number | null;
  dkimNext: number | null;
  all: ColumnAggregate;
  /** Bit type*4+status for every (type, status) present; see schema/inventory.ts. */
  flags: number;
  problems: number;
  stamp: string;
}

const TYPE_BIT: Record<string, number> = { ssh: 0, smtp: 1, api: 2, dkim: 3 };
const STATUS_BIT: Record<IndexedStatus, number> = { active: 0, expired: 1, revoked: 2, unknown: 3 };

/** The flags bits for a type (or all types) and a status (or any status). */
export function flagMask(type: string, status?: IndexedStatus): number {
  const types = type === 'all' ? Object.values(TYPE_BIT) : [TYPE_BIT[type]!];
  const statuses = status ? [STATUS_BIT[status]] : Object.values(STATUS_BIT);
  let mask = 0;
  for (const t of types) for (const st of statuses) mask |= 1 << (t * 4 + st);
  return mask;
}

export type StaticState = 'expired' | 'unknown' | 'active' | 'revoked' | 'none';
export interface ColumnAggregate {
  state: StaticState;
  /** STATE_ORDER of state: the static part of the column's sort key. */
  rank: number;
  /** Earliest next_rotation (ms) of the active secrets. */
  next: number | null;
}

const STATE_ORDER: Record<StaticState, number> = { expired: 0, unknown: 1, active: 2, revoked: 3, none: 4 };

export function aggregate(secrets: readonly IndexedSecret[]): ColumnAggregate {
  let state: StaticState = 'none';
  let next: number | null = null;
  for (const s of secrets) {
    if (STATE_ORDER[s.status] < STATE_ORDER[state]) state = s.status;
    if (s.status === 'active' && s.nextRotationMs !== null && (next === null || s.nextRotationMs < next)) next = s.nextRotationMs;
  }
  return { state, rank: STATE_ORDER[state], next };
}

/** Sort key for an IPv4 address; anything else sorts after, as itself. */
export function ipSortKey(ip: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return `~${ip}`;
  return m.slice(1, 5).map((o) => o.padStart(3, '0')).join('.');
}

export function buildTenant(tenantId: string, secrets: readonly IndexedSecret[], stamp: string): IndexedTenant {
  const profile = secrets.find((s) => s.type === 'profile');
  const md = profile?.metadata ?? {};
  const ssh = secrets.filter((s) => s.type === 'ssh');
  const smtp = secrets.filter((s) => s.type === 'smtp');
  const rotating = secrets.filter((s) => s.type !== 'profile' && s.type !== 'other');
  let lastRotation: string | null = null;
  for (const s of rotating) if (s.lastRotated && (lastRotation === null || s.lastRotated > lastRotation)) lastRotation = s.lastRotated;
  const vpsIp = md.vps_ip ?? '';
  return {
    tenantId,
    name: md.tenant_name ?? '',
    vpsIp,
    vpsIpSort: ipSortKey(vpsIp),
    domains: (md.domains ?? '').split(',').map((d) => d.trim()).filter(Boolean),
    apiCount: secrets.filter((s) => s.type === 'api').length,
    dkimCount: secrets.filter((s) => s.type === 'dkim').length,
    lastRotation,
    ssh: aggregate(ssh),
    smtp: aggregate(smtp),
    apiNext: aggregate(secrets.filter((s) => s.type === 'api')).next,
    dkimNext: aggregate(secrets.filter((s) => s.type === 'dkim')).next,
    all: aggregate(rotating),
    flags: rotating.reduce((f, s) => (s.type in TYPE_BIT ? f | (1 << (TYPE_BIT[s.type]! * 4 + STATUS_BIT[s.status])) : f), 0),
    problems: secrets.filter((s) => s.problem !== null).length + (profile ? 0 : 1),
    stamp,
  };
}
