// Rotates one secret: read the current version, make new key material, write it with
// check-and-set on the version read, then update the rotation state in custom_metadata
// and bump the tenant's change stamp. Who, when and why travel with the new version
// (rotated_by, rotated_at, rotation_reason, rotation_incident, rotation_job, rotation_id
// in the secret data) and the current state in custom_metadata.
// Never log or return a private key, a password or an API key from here.
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import type { RotationResult } from '../../../shared/contracts/rotation';
import { AppError } from '../../../shared/errors';
import {
  HOUR_MS,
  nextDkimSelector,
  nextRotation,
  type ParsedTarget,
  type RotationSchedules,
} from '../../../shared/rotation/rules';
import { generateApiKey, generateDkimKey, generateSmtpPassword, generateSshEd25519, fingerprintOfPublicKeyLine } from '../keys';
import { LAYOUT_SCHEMA } from '../seed/layout';
import type { CurrentSecret, RotationVaultIo } from './vault-io';
import { bumpTenantStamps } from '../vault/tenant-stamps';

/** The console's audit trail for rotate / emergency-reset; AuditRecorder plugs in (see container.ts). */
export interface RotationAudit {
  /** retire: the end of a grace period (the previous key or selector marked retired). */
  begin(action: 'rotate' | 'emergency-reset' | 'retire', path: string, opts?: { incidentId?: string }): { headers: Record<string, string>; finish(ok: boolean, error?: string): void };
}

export const noAudit: RotationAudit = { begin: () => ({ headers: {}, finish: () => undefined }) };

export interface RotateRequest {
  target: ParsedTarget;
  reason: string;
  actor: string;
  emergency?: boolean;
  /** No grace period even where the type has one (incident response: the previous DKIM selector is invalid at once). */
  noGrace?: boolean;
  incidentId?: string;
  /** Bulk job id; with the item number it makes rotation_id, the resume marker. */
  jobId?: string;
  rotationId?: string;
  /** What the user looked at; anything else is CONFLICT. */
  expectedVersion?: number;
  /** The version already read by the caller (bulk jobs read it to decide). */
  current?: CurrentSecret;
}

export interface RotateOutcome extends RotationResult {
  /** API keys only: the new key, for the caller to hand over once (CLI). Never stored, never sent over IPC. */
  apiKeyOnce?: string;
}

/** Data keys that belong to one rotation and must not leak into the next. */
const ROTATION_KEYS = ['rotated_at', 'rotated_by', 'rotation_reason', 'rotation_incident', 'rotation_job', 'rotation_id', 'emergency_reset'];
const PREVIOUS_KEYS = ['previous_public_key', 'previous_fingerprint', 'previous_private_key', 'previous_selector', 'previous_txt', 'previous_dns_name', 'grace_until', 'valid_public_keys', 'previous_retired_at'];

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function without(data: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) if (!keys.includes(k)) out[k] = v;
  return out;
}

// RSA-2048 runs on libuv's pool; on a small machine several at once starve the event
// loop (and Vault) of CPU, so at most cores-1 generate at the same time.
const RSA_SLOTS = Math.max(1, cpus().length - 1);
let rsaBusy = 0;
const rsaWaiting: Array<() => void> = [];

async function withRsaSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (rsaBusy >= RSA_SLOTS) await new Promise<void>((resolve) => rsaWaiting.push(resolve));
  rsaBusy++;
  try {
    return await fn();
  } finally {
    rsaBusy--;
    rsaWaiting.shift()?.();
  }
}

export function newRotationId(): string {
  return `rot-${randomBytes(8).toString('hex')}`;
}

export class Rotator {
  constructor(
    private readonly io: RotationVaultIo,
    private readonly deps: { now: () => number; schedules: () => Promise<RotationSchedules>; audit?: RotationAudit; touchProfile?: boolean },
  ) {}

  async rotate(req: RotateRequest): Promise<RotateOutcome> {
    const { target } = req;
    const emergency = req.emergency === true;
    if (emergency && target.type !== 'ssh' && target.type !== 'smtp') throw new AppError('BAD_INPUT', 'Emergency reset is for SMTP credentials and SSH keys.');
    const current = req.current ?? (await this.io.current(target.path));
    if (!current) throw new AppError('NOT_FOUND', `No secret at ${target.path} (the tenant or the secret was deleted).`);
    if (req.expectedVersion !== undefined && req.expectedVersion !== current.version) {
      throw new AppError('CONFLICT', `${target.path} changed: version ${current.version} is current, you were looking at version ${req.expectedVersion}. Reload and try again.`);
    }
    const md = current.customMetadata;
    if (target.type === 'api' && md.status === 'revoked') throw new AppError('CONFLICT', `API key ${target.name} is revoked; it is kept for audit and cannot be rotated.`);

    const schedules = await this.deps.schedules();
    const nowMs = this.deps.now();
    const graceHours = target.type === 'ssh' || target.type === 'dkim' ? schedules.graceHours[target.type] : 0;
    const graceUntil = !emergency && req.noGrace !== true && graceHours > 0 ? new Date(nowMs + graceHours * HOUR_MS).toISOString() : null;
    const tenantId = target.path.split('/')[0]!;
    const base = without(without(current.data, ROTATION_KEYS), PREVIOUS_KEYS);
    const { now, record, mdPatch } = this.stateOf(req, schedules, nowMs, graceUntil);
    mdPatch.schema = md.schema ?? LAYOUT_SCHEMA;

    const result: RotateOutcome = plainOutcome(target.path, target.type, emergency, current.version, 0, now, req.actor, mdPatch.next_rotation!);

    let data: Record<string, unknown>;
    switch (target.type) {
      case 'ssh': {
        const oldPub = str(current.data.public_key);
        const comment = oldPub?.split(/\s+/)[2] ?? `${target.kind === 'ssh-admin' ? 'admin' : 'tenant'}@${tenantId}`;
        const k = generateSshEd25519({ comment });
        let oldFp: string | null = null;
        try {
          oldFp = oldPub ? (str(current.data.fingerprint) ?? fingerprintOfPublicKeyLine(oldPub)) : null;
        } catch {
          oldFp = null;
        }
        const keepOld = graceUntil !== null && oldPub !== null;
        data = {
          ...base,
          key_type: 'ssh-ed25519',
          private_key: k.privateKey,
          public_key: k.publicKey,
          fingerprint: k.fingerprint,
          // Every key an authorized_keys file should list right now: the old one only during grace.
          valid_public_keys: keepOld ? [k.publicKey, oldPub] : [k.publicKey],
          ...(keepOld ? { previous_public_key: oldPub, previous_fingerprint: oldFp, grace_until: graceUntil } : {}),
        };
        Object.assign(mdPatch, { fingerprint: k.fingerprint, previous_fingerprint: keepOld ? oldFp : null });
        if (keepOld) mdPatch.previous_status = 'grace';
        result.fingerprint = k.fingerprint;
        result.previousFingerprint = keepOld ? oldFp : null;
        result.graceUntil = keepOld ? graceUntil : null;
        break;
      }
      case 'smtp': {
        // The username stays: only the password changes.
        data = { ...base, password: generateSmtpPassword() };
        mdPatch.grace_until = null;
        break;
      }
      case 'dkim': {
        const domain = target.name!;
        const oldSel = str(current.data.selector) ?? md.selector ?? null;
        const oldKey = str(current.data.private_key);
        const oldTxt = str(current.data.txt);
        // RSA-2048 on libuv's thread pool: the event loop stays free.
        const key = await withRsaSlot(() => generateDkimKey());
        const selector = nextDkimSelector(nowMs, [oldSel, str(current.data.previous_selector)]);
        const keepOld = graceUntil !== null && oldSel !== null && oldKey !== null;
        data = {
          ...base,
          domain,
          selector,
          bits: 2048,
          private_key: key.privateKey,
          txt: key.txt,
          dns_name: `${selector}._domainkey.${domain}`,
          ...(keepOld
            ? { previous_selector: oldSel, previous_private_key: oldKey, ...(oldTxt ? { previous_txt: oldTxt } : {}), previous_dns_name: `${oldSel}._domainkey.${domain}`, grace_until: graceUntil }
            : {}),
        };
        Object.assign(mdPatch, { selector, domain, previous_selector: keepOld ? oldSel : null });
        if (keepOld) mdPatch.previous_status = 'grace';
        result.selector = selector;
        result.previousSelector = keepOld ? oldSel : null;
        result.graceUntil = keepOld ? graceUntil : null;
        result.dnsRecords.push({ name: `${selector}._domainkey.${domain}`, value: key.txt, note: 'New key: publish now.' });
        if (keepOld && oldTxt) result.dnsRecords.push({ name: `${oldSel}._domainkey.${domain}`, value: oldTxt, note: `Previous key: keep published until ${graceUntil}.` });
        break;
      }
      case 'api': {
        const env = str(current.data.prefix)?.startsWith('pm_test_') || md.prefix?.startsWith('pm_test_') ? 'test' : 'live';
        const k = generateApiKey({ env, keyId: target.name! });
        // Only the hash is stored; the key goes back to the caller once.
        data = { ...base, key_id: target.name, hash: k.hash, prefix: k.prefix, last_used_at: null, request_count: 0 };
        // Never touch the revoke fields, and leave an active status alone: a revoke landing
        // during this rotation must win (checked again after the write, below).
        Object.assign(mdPatch, { prefix: k.prefix, request_count: '0', last_used: null });
        if (md.status === 'active') delete mdPatch.status;
        result.prefix = k.prefix;
        result.apiKeyOnce = k.key;
        mdPatch.grace_until = null;
        break;
      }
    }
    Object.assign(data, record);

    const audit = (this.deps.audit ?? noAudit).begin(emergency ? 'emergency-reset' : 'rotate', target.path, req.incidentId ? { incidentId: req.incidentId } : undefined);
    try {
      result.version = await this.io.writeCas(target.path, data, current.version, audit.headers);
    } catch (err) {
      audit.finish(false, err instanceof AppError ? err.code : 'error');
      if (err instanceof AppError && err.code === 'CONFLICT') {
        throw new AppError('CONFLICT', `${target.path} was changed by someone else while it was being rotated; nothing was overwritten. Reload and try again.`);
      }
      throw err;
    }
    await this.finishMetadata(target.path, mdPatch, audit.headers);
    if (target.type === 'api') await this.keepRevoked(target, md.revoked_at, audit);
    audit.finish(true);
    return result;
  }

  /**
   * An API key revoked by another admin while it was being rotated stays revoked: the
   * revoke is a metadata-only write (no new version), so check-and-set cannot see it. If our
   * metadata write put "active" over it, the revoke is put back, and the rotation is
   * reported as a conflict (the new key is never handed over).
   */
  private async keepRevoked(target: ParsedTarget, revokedAtBefore: string | undefined, audit: ReturnType<RotationAudit['begin']>): Promise<void> {
    const md = await this.io.metadata(target.path);
    const c = md?.customMetadata ?? {};
    // A revoke since our read sets status=revoked and a new revoked_at (our PATCH may have put "active" back over the status).
    if (c.status !== 'revoked' && (!c.revoked_at || c.revoked_at === revokedAtBefore)) return;
    if (c.status !== 'revoked') await this.io.patchMetadata(target.path, { status: 'revoked' }, audit.headers);
    audit.finish(false, 'CONFLICT');
    throw new AppError('CONFLICT', `API key ${target.name} was revoked${c.revoked_by ? ` by ${c.revoked_by.slice(0, 200)}` : ''} while it was being rotated; it stays revoked and the new key is not valid (none is shown).`);
  }

  /** What every rotation writes: who/when/why with the new version, and the rotation state for custom_metadata. */
  private stateOf(req: RotateRequest, schedules: RotationSchedules, nowMs: number, graceUntil: string | null): { now: string; record: Record<string, unknown>; mdPatch: Record<string, string | null> } {
    const emergency = req.emergency === true;
    const now = new Date(nowMs).toISOString();
    const rotationId = req.rotationId ?? newRotationId();
    const record: Record<string, unknown> = {
      rotated_at: now,
      rotated_by: req.actor,
      rotation_reason: req.reason,
      rotation_id: rotationId,
      ...(req.incidentId ? { rotation_incident: req.incidentId } : {}),
      ...(req.jobId ? { rotation_job: req.jobId } : {}),
      ...(emergency ? { emergency_reset: true } : {}),
    };
    const days = schedules.days[req.target.type];
    const mdPatch: Record<string, string | null> = {
      type: req.target.type,
      source: 'console',
      status: 'active',
      last_rotated: now,
      next_rotation: nextRotation(nowMs, days),
      rotation_days: String(days),
      rotated_by: req.actor.slice(0, 200),
      rotation_reason: req.reason,
      rotation_id: rotationId,
      rotation_incident: req.incidentId ?? null,
      rotation_job: req.jobId ?? null,
      emergency_reset_at: emergency ? now : null,
      grace_until: graceUntil,
      previous_status: null,
    };
    return { now, record, mdPatch };
  }

  /**
   * SMTP without reading first: a KV v2 data PATCH (merge) with check-and-set on a version
   * the caller already knows (a bulk job's preview). The username and every other field stay
   * as Vault holds them; only the password and the rotation record change, and keys of an
   * earlier rotation are removed (null in a merge patch), so the new version equals what
   * rotate() writes. CONFLICT when `knownVersion` is not current any more, NOT_FOUND when
   * the secret is gone: the caller then reads and decides (RotationService.processItem).
   * The secret must already carry the layout's metadata (its schema is left as it is).
   */
  async rotateSmtpAt(req: Omit<RotateRequest, 'current' | 'expectedVersion' | 'emergency'>, knownVersion: number): Promise<RotateOutcome> {
    const { target } = req;
    if (target.type !== 'smtp') throw new AppError('INTERNAL', 'rotateSmtpAt is for SMTP credentials only.');
    const schedules = await this.deps.schedules();
    const nowMs = this.deps.now();
    const { now, record, mdPatch } = this.stateOf(req, schedules, nowMs, null);
    const patch: Record<string, unknown> = { password: generateSmtpPassword() };
    for (const k of [...ROTATION_KEYS, ...PREVIOUS_KEYS]) patch[k] = null;
    Object.assign(patch, record);
    const audit = (this.deps.audit ?? noAudit).begin('rotate', target.path);
    let version: number;
    try {
      version = await this.io.patchDataCas(target.path, patch, knownVersion, audit.headers);
    } catch (err) {
      audit.finish(false, err instanceof AppError ? err.code : 'error');
      throw err;
    }
    await this.finishMetadata(target.path, mdPatch, audit.headers);
    audit.finish(true);
    return plainOutcome(target.path, 'smtp', false, knownVersion, version, now, req.actor, mdPatch.next_rotation!);
  }

  /** Writes the rotation state; idempotent, so a resumed job can redo it after a crash. */
  async finishMetadata(path: string, patch: Record<string, string | null>, headers?: Record<string, string>): Promise<void> {
    await this.io.patchMetadata(path, patch, headers);
    if (this.deps.touchProfile !== false) {
      const tenantId = path.split('/')[0]!;
      // Every console's next incremental inventory sync rescans this tenant.
      await bumpTenantStamps(this.io.client, this.io.mount, [tenantId], new Date(this.deps.now()).toISOString());
    }
  }

  /**
   * The metadata a finished rotation implies, rebuilt from its data (for a job resumed
   * after a crash between the data write and the metadata write).
   */
  async repairMetadata(target: ParsedTarget, current: CurrentSecret): Promise<void> {
    const d = current.data;
    const at = str(d.rotated_at);
    if (!at) return;
    const schedules = await this.deps.schedules();
    const days = schedules.days[target.type];
    const patch: Record<string, string | null> = {
      schema: current.customMetadata.schema ?? LAYOUT_SCHEMA,
      type: target.type,
      source: 'console',
      status: 'active',
      last_rotated: at,
      next_rotation: nextRotation(Date.parse(at), days),
      rotation_days: String(days),
      rotated_by: str(d.rotated_by),
      rotation_reason: str(d.rotation_reason),
      rotation_id: str(d.rotation_id),
      rotation_incident: str(d.rotation_incident),
      rotation_job: str(d.rotation_job),
      grace_until: str(d.grace_until),
      previous_status: str(d.grace_until) ? 'grace' : null,
    };
    if (target.type === 'ssh') Object.assign(patch, { fingerprint: str(d.fingerprint), previous_fingerprint: str(d.previous_fingerprint) });
    if (target.type === 'dkim') Object.assign(patch, { selector: str(d.selector), previous_selector: str(d.previous_selector), domain: target.name });
    if (target.type === 'api') Object.assign(patch, { prefix: str(d.prefix) });
    await this.finishMetadata(target.path, patch);
  }

  /**
   * After the grace end: the previous SSH key / DKIM selector is marked retired. The old
   * DKIM private key is dropped from the new version (it stays in KV history) and the old
   * public key leaves valid_public_keys. Returns false when there is nothing to retire yet.
   */
  async retireIfDue(target: ParsedTarget, actor: string): Promise<boolean> {
    const current = await this.io.current(target.path);
    if (!current) return false;
    const until = Date.parse(str(current.data.grace_until) ?? current.customMetadata.grace_until ?? '');
    if (Number.isNaN(until) || until > this.deps.now()) return false;
    const now = new Date(this.deps.now()).toISOString();
    const d = { ...current.data };
    delete d.previous_private_key;
    delete d.grace_until;
    if (target.type === 'ssh' && typeof d.public_key === 'string') d.valid_public_keys = [d.public_key];
    d.previous_retired_at = now;
    const audit = (this.deps.audit ?? noAudit).begin('retire', target.path);
    try {
      await this.io.writeCas(target.path, d, current.version, audit.headers);
      await this.finishMetadata(target.path, { grace_until: null, previous_status: 'retired', previous_retired_at: now, retired_by: actor.slice(0, 200) }, audit.headers);
    } catch (err) {
      audit.finish(false, err instanceof AppError ? err.code : 'error');
      throw err;
    }
    audit.finish(true);
    return true;
  }
}

/** A rotation's outcome before the type-specific fields (fingerprints, selectors, DNS) are filled in. */
function plainOutcome(path: string, type: RotateOutcome['type'], emergency: boolean, previousVersion: number, version: number, rotatedAt: string, rotatedBy: string, nextRotation: string): RotateOutcome {
  return {
    tenantId: path.split('/')[0]!,
    path,
    type,
    emergency,
    previousVersion,
    version,
    rotatedAt,
    rotatedBy,
    nextRotation,
    graceUntil: null,
    fingerprint: null,
    previousFingerprint: null,
    selector: null,
    previousSelector: null,
    dnsRecords: [],
    prefix: null,
  };
}
