// What a bulk job does with one of its secrets, decided at the moment it gets to it:
// rotate it only while Vault still holds the version its preview showed. A secret that
// anyone else changed after the preview (a hand edit, another admin's rotation, a script)
// is never rotated by the job: it is reported as "changed since preview", and the admin
// decides ("rotate these now" previews them again). The job's own earlier write, found by
// its rotation_id marker after a crash, is finished, never rotated twice.
import type { BulkSelection, TenantFilter } from '../../../shared/contracts/rotation';
import { AppError } from '../../../shared/errors';
import {
  filterDependsOnMetadata,
  isOverdue,
  matchesFilter,
  nextRotation,
  ONE_BY_ONE_NOTE,
  rotatableInBulk,
  targetOfPath,
  type ParsedTarget,
  type RotatableType,
  type RotationSchedules,
} from '../../../shared/rotation/rules';
import { CHANGED_SINCE_PREVIEW, type ItemRow, type JobRow } from '../storage/rotation-repo';
import type { Rotator } from './rotator';
import type { CurrentSecret, RotationVaultIo } from './vault-io';

/** A job's selection as kept with it (selection_json), with what the preview knew. */
export interface JobSelection {
  /** paths: an incident job's explicit list (rotation-jobs.ts previewPaths). */
  mode: BulkSelection['mode'] | 'types' | 'paths';
  types?: RotatableType[];
  filter?: TenantFilter;
  /** "address|namespace" of the Vault the job belongs to. */
  cluster: string | null;
  /** When the preview was made (jobs of older consoles: their creation time). */
  previewedAt: string;
  /** Paths whose previewed metadata lacked the layout's schema: read first, so the rotation completes it. */
  noLayout: Set<string>;
}

export function parseSelection(job: JobRow): JobSelection {
  let raw: Record<string, unknown> = {};
  try {
    raw = JSON.parse(job.selection_json) as Record<string, unknown>;
  } catch {
    raw = {};
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    mode: (str(raw.mode) as JobSelection['mode'] | null) ?? (job.kind === 'reschedule' ? 'types' : job.kind === 'incident' ? 'paths' : job.kind),
    ...(Array.isArray(raw.types) ? { types: raw.types as RotatableType[] } : {}),
    ...(raw.filter && typeof raw.filter === 'object' ? { filter: raw.filter as TenantFilter } : {}),
    cluster: str(raw.cluster),
    previewedAt: str(raw.previewedAt) ?? job.created_at,
    noLayout: new Set(Array.isArray(raw.noLayout) ? (raw.noLayout as unknown[]).filter((p): p is string => typeof p === 'string') : []),
  };
}

/** Whether the selection depends on metadata that can change without a new version (overdue, status, due window). */
export function dependsOnMetadata(sel: JobSelection, job: JobRow): boolean {
  if (sel.mode === 'filter') return sel.filter ? filterDependsOnMetadata(sel.filter) : false;
  return sel.mode === 'overdue' || job.kind === 'overdue';
}

function stillSelected(sel: JobSelection, type: RotatableType, md: Record<string, string>, nowMs: number): boolean {
  if (sel.mode === 'filter' && sel.filter) return matchesFilter(sel.filter, type, md, nowMs);
  return isOverdue(md, nowMs);
}

export interface ItemContext {
  job: JobRow;
  sel: JobSelection;
  io: RotationVaultIo;
  rot: Rotator;
  schedules: RotationSchedules;
  /** SMTP without reading first, while the policy allows the data PATCH. */
  fast: { on: boolean };
  now(): number;
}

export interface ItemOutcome {
  state: 'done' | 'skipped';
  version?: number;
  reason?: string;
  /** CHANGED_SINCE_PREVIEW for a secret changed by someone else after the preview. */
  code?: string;
}

function changed(reason: string): ItemOutcome {
  return { state: 'skipped', code: CHANGED_SINCE_PREVIEW, reason };
}

/** Who wrote the current version, as far as the version itself tells. */
function writtenBy(cur: CurrentSecret): string {
  const at = typeof cur.data.rotated_at === 'string' ? Date.parse(cur.data.rotated_at) : NaN;
  const written = Date.parse(cur.createdTime);
  // A console rotation stamps rotated_at in the version it writes; a hand edit that merged
  // (kv patch) keeps an older rotated_at, so only a match within a minute names the rotator.
  if (!Number.isNaN(at) && !Number.isNaN(written) && Math.abs(at - written) < 60_000) {
    return `rotated by ${String(cur.data.rotated_by ?? 'someone').slice(0, 200)} at ${String(cur.data.rotated_at)}`;
  }
  return `written${cur.createdTime ? ` at ${cur.createdTime}` : ''} outside a console rotation (by hand or a script)`;
}

/** The "changed since preview" reason, or null while Vault still holds what the preview showed. */
function changedSincePreview(item: ItemRow, cur: CurrentSecret, sel: JobSelection): string | null {
  if (item.base_version > 0) {
    if (cur.version === item.base_version) return null;
    return `Changed since the preview: version ${item.base_version} was previewed, version ${cur.version} is current (${writtenBy(cur)}). Not rotated; nothing was overwritten.`;
  }
  // A job of an older console kept no previewed version: a version written after the preview is a change.
  const written = Date.parse(cur.createdTime);
  if (Number.isNaN(written) || written >= Date.parse(sel.previewedAt)) {
    return `Changed since the preview: version ${cur.version} was written after it (${writtenBy(cur)}). Not rotated; nothing was overwritten.`;
  }
  return null;
}

export async function processRotationItem(ctx: ItemContext, item: ItemRow): Promise<ItemOutcome> {
  const { job, sel, io, rot } = ctx;
  const target: ParsedTarget | null = targetOfPath(item.path);
  if (!target) return { state: 'skipped', reason: 'Not a rotatable path of the layout.' };
  // Jobs made by older consoles may list API keys: their new key would be thrown away.
  if (!rotatableInBulk(target.type)) return { state: 'skipped', reason: `API keys are not rotated by bulk jobs: ${ONE_BY_ONE_NOTE}.` };
  const rotationId = `${job.id}:${item.seq}`;
  const metadataRule = dependsOnMetadata(sel, job);
  // Incident response: no grace (SSH and SMTP as emergency resets), the incident id in the
  // new version, its custom_metadata and the audit header's annotation.
  const incident = job.kind === 'incident' ? { emergency: target.type === 'ssh' || target.type === 'smtp', noGrace: true, ...(job.incident_id ? { incidentId: job.incident_id } : {}) } : {};
  const req = { target, reason: job.reason, actor: job.actor, jobId: job.id, rotationId, ...incident };

  if (ctx.fast.on && job.kind !== 'incident' && target.type === 'smtp' && !metadataRule && item.base_version > 0 && !sel.noLayout.has(item.path)) {
    // Fast path: write with check-and-set on the previewed version, without reading first.
    // If that version is not current any more, read once below and decide as always.
    try {
      const r = await rot.rotateSmtpAt(req, item.base_version);
      return { state: 'done', version: r.version };
    } catch (err) {
      if (!(err instanceof AppError) || !['CONFLICT', 'NOT_FOUND', 'PERMISSION_DENIED'].includes(err.code)) throw err;
      // A policy without "patch" on the data path may still allow read + write: use that for the rest of the run.
      if (err.code === 'PERMISSION_DENIED') ctx.fast.on = false;
    }
  }
  const cur = await io.current(item.path);
  if (!cur) return { state: 'skipped', reason: 'The secret no longer exists (tenant or secret deleted during the job).' };
  if (cur.data.rotation_id === rotationId) {
    // This job already rotated it (the process stopped before recording that): finish, never rotate again.
    await rot.repairMetadata(target, cur);
    return { state: 'done', version: cur.version };
  }
  const why = changedSincePreview(item, cur, sel);
  if (why) return changed(why);
  if (metadataRule && !stillSelected(sel, target.type, cur.customMetadata, ctx.now())) {
    return { state: 'skipped', reason: sel.mode === 'filter' ? 'No longer matches the filter (rescheduled or its status changed since the preview).' : 'No longer overdue (rescheduled since the preview).' };
  }
  try {
    const r = await rot.rotate({ ...req, current: cur });
    return { state: 'done', version: r.version };
  } catch (err) {
    // Check-and-set on the version just read: someone wrote in between. Nothing was overwritten.
    if (err instanceof AppError && err.code === 'CONFLICT') {
      return changed(`Changed while the job was rotating it (another write landed after version ${cur.version} was read). Not rotated; nothing was overwritten.`);
    }
    throw err;
  }
}

/** A reschedule job's item: next_rotation = last_rotated + the new period (metadata only). */
export async function processRescheduleItem(io: RotationVaultIo, item: ItemRow, schedules: RotationSchedules): Promise<ItemOutcome> {
  const target = targetOfPath(item.path);
  if (!target) return { state: 'skipped', reason: 'Not a rotatable path of the layout.' };
  const md = await io.metadata(item.path);
  if (!md) return { state: 'skipped', reason: 'The secret no longer exists.' };
  const last = Date.parse(md.customMetadata.last_rotated ?? '');
  if (Number.isNaN(last)) return { state: 'skipped', reason: 'No last_rotated in its metadata.' };
  const days = schedules.days[target.type];
  await io.patchMetadata(item.path, { rotation_days: String(days), next_rotation: nextRotation(last, days) });
  return { state: 'done', version: md.currentVersion };
}
