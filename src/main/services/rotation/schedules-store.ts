// The rotation schedules every admin shares: one KV v2 entry in the tenants mount,
// `<mount>/_rotation-schedules` (a leaf, not a folder, so it is never listed as a
// tenant). Saved with check-and-set, so two admins editing at once never overwrite
// each other. Missing: the spec's defaults (every console uses them). A policy that may
// read only metadata (the auditor's) reads the mirror in custom_metadata. Unreadable: the
// defaults, marked as such, because they may not be what the cluster uses.
import { AppError } from '../../../shared/errors';
import { checkSchedules, DEFAULT_SCHEDULES, RuleError, type RotationSchedules } from '../../../shared/rotation/rules';
import type { RotationVaultIo } from './vault-io';

export const SCHEDULES_PATH = '_rotation-schedules';

export interface LoadedSchedules {
  schedules: RotationSchedules;
  version: number;
  updatedBy: string | null;
  updatedAt: string | null;
  /** vault: the entry's data; vault-metadata: its custom_metadata mirror; defaults: none saved; unreadable: defaults shown, the cluster's unknown. */
  source: 'vault' | 'vault-metadata' | 'defaults' | 'unreadable';
  problem: string | null;
}

const UNREADABLE = "Your policies do not allow reading the cluster's rotation schedules";

function num(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
}

export function schedulesFromData(d: Record<string, unknown>): RotationSchedules {
  return checkSchedules({
    days: { ssh: num(d.ssh_days), smtp: num(d.smtp_days), dkim: num(d.dkim_days), api: num(d.api_days) },
    graceHours: { ssh: num(d.ssh_grace_hours), dkim: num(d.dkim_grace_hours) },
  });
}

export async function loadSchedules(io: RotationVaultIo, onProblem?: (msg: string) => void): Promise<LoadedSchedules> {
  const defaults = (source: LoadedSchedules['source'], problem: string | null): LoadedSchedules => ({ schedules: DEFAULT_SCHEDULES, version: 0, updatedBy: null, updatedAt: null, source, problem });
  let cur;
  try {
    cur = await io.current(SCHEDULES_PATH);
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'PERMISSION_DENIED') throw err;
    // A metadata-only policy reads the mirror; a token that may rotate but read neither still rotates on the defaults.
    const fromMetadata = await loadFromMetadata(io);
    if (fromMetadata) return fromMetadata;
    onProblem?.('cannot read the shared rotation schedules (permission denied); using the defaults');
    return defaults('unreadable', `${UNREADABLE} (${SCHEDULES_PATH} in ${io.mount}); the built-in defaults are shown.`);
  }
  if (!cur) return defaults('defaults', null);
  let schedules = DEFAULT_SCHEDULES;
  let problem: string | null = null;
  try {
    schedules = schedulesFromData(cur.data);
  } catch (err) {
    problem = `The cluster's rotation schedules are invalid (${err instanceof Error ? err.message : 'error'}); the built-in defaults are used.`;
    onProblem?.(`the shared rotation schedules are invalid (${err instanceof Error ? err.message : 'error'}); using the defaults`);
  }
  return {
    schedules,
    version: cur.version,
    updatedBy: typeof cur.data.updated_by === 'string' ? cur.data.updated_by : null,
    updatedAt: typeof cur.data.updated_at === 'string' ? cur.data.updated_at : null,
    source: problem ? 'unreadable' : 'vault',
    problem,
  };
}

async function loadFromMetadata(io: RotationVaultIo): Promise<LoadedSchedules | null> {
  let md;
  try {
    md = await io.metadata(SCHEDULES_PATH);
  } catch (err) {
    if (err instanceof AppError && err.code === 'PERMISSION_DENIED') return null;
    throw err;
  }
  if (!md) return { schedules: DEFAULT_SCHEDULES, version: 0, updatedBy: null, updatedAt: null, source: 'defaults', problem: null };
  try {
    const c = md.customMetadata;
    return { schedules: schedulesFromData(c), version: md.currentVersion, updatedBy: c.updated_by ?? null, updatedAt: c.updated_at ?? null, source: 'vault-metadata', problem: null };
  } catch {
    return null;
  }
}

export async function saveSchedules(io: RotationVaultIo, input: RotationSchedules, expectedVersion: number, actor: string, nowIso: string): Promise<LoadedSchedules> {
  let s: RotationSchedules;
  try {
    s = checkSchedules(input);
  } catch (err) {
    throw new AppError('BAD_INPUT', err instanceof RuleError ? err.message : 'Invalid schedules.');
  }
  const data = {
    ssh_days: s.days.ssh,
    smtp_days: s.days.smtp,
    dkim_days: s.days.dkim,
    api_days: s.days.api,
    ssh_grace_hours: s.graceHours.ssh,
    dkim_grace_hours: s.graceHours.dkim,
    updated_by: actor,
    updated_at: nowIso,
  };
  let version: number;
  try {
    version = await io.writeCas(SCHEDULES_PATH, data, expectedVersion);
  } catch (err) {
    if (err instanceof AppError && err.code === 'CONFLICT') {
      throw new AppError('CONFLICT', 'Another admin changed the rotation schedules in the meantime; reload them and apply your change again.');
    }
    throw err;
  }
  // Mirrored in custom_metadata so a metadata-only policy can show them too.
  await io.putMetadata(SCHEDULES_PATH, Object.fromEntries(Object.entries(data).map(([k, v]) => [k, String(v)])));
  return { schedules: s, version, updatedBy: actor, updatedAt: nowIso, source: 'vault', problem: null };
}
