// The rotation schedules every admin shares: one KV v2 entry in the tenants mount,
// `<mount>/_rotation-schedules` (a leaf, not a folder, so it is never listed as a
// tenant). Saved with check-and-set, so two admins editing at once never overwrite
// each other. Missing or unreadable: the spec's defaults.
import { AppError } from '../../../shared/errors';
import { checkSchedules, DEFAULT_SCHEDULES, RuleError, type RotationSchedules } from '../../../shared/rotation/rules';
import type { RotationVaultIo } from './vault-io';

export const SCHEDULES_PATH = '_rotation-schedules';

export interface LoadedSchedules {
  schedules: RotationSchedules;
  version: number;
  updatedBy: string | null;
  updatedAt: string | null;
}

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
  let cur;
  try {
    cur = await io.current(SCHEDULES_PATH);
  } catch (err) {
    // A token that may rotate but not read the shared entry still rotates on the defaults.
    if (err instanceof AppError && err.code === 'PERMISSION_DENIED') {
      onProblem?.('cannot read the shared rotation schedules (permission denied); using the defaults');
      return { schedules: DEFAULT_SCHEDULES, version: 0, updatedBy: null, updatedAt: null };
    }
    throw err;
  }
  if (!cur) return { schedules: DEFAULT_SCHEDULES, version: 0, updatedBy: null, updatedAt: null };
  let schedules = DEFAULT_SCHEDULES;
  try {
    schedules = schedulesFromData(cur.data);
  } catch (err) {
    onProblem?.(`the shared rotation schedules are invalid (${err instanceof Error ? err.message : 'error'}); using the defaults`);
  }
  return {
    schedules,
    version: cur.version,
    updatedBy: typeof cur.data.updated_by === 'string' ? cur.data.updated_by : null,
    updatedAt: typeof cur.data.updated_at === 'string' ? cur.data.updated_at : null,
  };
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
  return { schedules: s, version, updatedBy: actor, updatedAt: nowIso };
}
