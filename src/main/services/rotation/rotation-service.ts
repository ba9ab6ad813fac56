// Rotation for the app, the CLI and the harness: Rotate Now and Emergency Reset of one
// secret, the grace sweep, the shared schedules, and the hand-over of a rotated API key's
// new key. Bulk jobs (preview, confirmation, running, resume) are rotation-jobs.ts; this
// service composes them so the handlers and the CLI have one entry point.
import type { BulkSelection, JobReport, JobSummary, RotationPreview, StoredSchedules } from '../../../shared/contracts/rotation';
import { AppError } from '../../../shared/errors';
import { checkIncidentId, checkReason, parseTarget, RuleError, type RotatableType, type RotationSchedules } from '../../../shared/rotation/rules';
import { createLogger, type Logger } from '../log/logger';
import type { InventoryRepo } from '../storage/inventory-repo';
import type { RotationRepo } from '../storage/rotation-repo';
import type { Clock } from '../time/clock';
import { Rotator, type RotateOutcome, type RotationAudit } from './rotator';
import { RotationAutomation, type RotationAutomationDeps } from './rotation-automation';
import { RotationJobs, type PathSelection, type PathsPreview, type RotationEvents } from './rotation-jobs';
import { loadSchedules, saveSchedules } from './schedules-store';
import { MemoryClipboard, type ContentProtection, type SecretClipboard } from '../reveal/clipboard';
import { ApiKeyHandover } from './api-key-handover';
import { IndexGraceSource, sweepGrace, VaultGraceSource, type RetirementPolicy, type SweepResult } from './grace-sweep';
import { bumpTenantStamps } from '../vault/tenant-stamps';
import { VaultTargetSource } from './targets';
import { RotationVaultIo } from './vault-io';
import type { VaultClient } from '../vault/vault-client';

export { DEFAULT_CONCURRENCY } from './rotation-jobs';

export interface RotationServiceDeps {
  repo: RotationRepo;
  clock: Clock;
  /** The signed-in session's client (throws UNAUTHENTICATED when signed out). */
  client: () => VaultClient;
  mount: () => string;
  /** Who is acting, recorded with every rotation. */
  actor: () => string;
  events?: Pick<RotationEvents, 'emit'>;
  logger?: Logger;
  audit?: RotationAudit;
  /** The inventory index, used for "overdue" previews when it has been synced for this mount. */
  index?: { repo: InventoryRepo; usable(mount: string): boolean };
  /** Called after a single rotation so the local inventory index shows it at once (bulk jobs bump the change stamp; the next sync picks them up). */
  onRotated?: (tenantId: string) => void;
  defaultConcurrency?: number;
  /** Pause when failed / finished exceeds this (after minSample items). */
  failThreshold?: number;
  minSample?: number;
  /** How often a job paused by a sealed Vault checks whether it was unsealed. */
  sealPollMs?: number;
  progressEveryMs?: number;
  /** How often a running job writes its item outcomes to SQLite (one transaction per batch); 0 = every item. */
  journalEveryMs?: number;
  /**
   * The app's session: with it, jobs that stopped by themselves resume at sign-in and the
   * grace sweep runs at sign-in and on a timer (rotation-automation.ts). The CLI leaves it out.
   */
  session?: RotationAutomationDeps['session'];
  /** Which Vault cluster this is (address and namespace), recorded with each job; a job resumes only there. */
  cluster?: () => string;
  /** Grace sweep periods (index / Vault listing); false turns the sweep off. */
  graceSweep?: { indexEveryMs?: number; vaultEveryMs?: number } | false;
  /** Where a new API key is copied to (the app's clipboard, shared with reveals); absent: in-process. */
  clipboard?: SecretClipboard;
  /** Policy: a shorter window for showing a new API key (the reveal window's policy). */
  apiKeyWindowMs?: number;
  /** Screen-capture protection while a new API key is shown (shared with reveals). */
  apiKeyProtection?: ContentProtection;
  /** Consulted before each grace retirement (DKIM: waits for DNS, dkim-dns/). */
  retirementPolicy?: RetirementPolicy;
}

export class RotationService {
  private readonly log: Logger;
  private readonly automation: RotationAutomation | null;
  /** Bulk jobs: preview, typed confirmation, run, pause, resume, report. */
  readonly bulk: RotationJobs;
  /** New API keys from Rotate Now, shown once in the UI (the CLI prints them instead). */
  readonly apiKeys: ApiKeyHandover;

  constructor(private readonly deps: RotationServiceDeps) {
    this.log = deps.logger ?? createLogger('rotation');
    this.apiKeys = new ApiKeyHandover({
      clock: deps.clock,
      clipboard: deps.clipboard ?? new MemoryClipboard(),
      log: this.log,
      onClosed: (e) => deps.events?.emit('rotation:api-key-closed', e),
      ...(deps.session ? { session: deps.session } : {}),
      ...(deps.apiKeyWindowMs !== undefined ? { windowMs: deps.apiKeyWindowMs } : {}),
      ...(deps.apiKeyProtection ? { protection: deps.apiKeyProtection } : {}),
    });
    this.bulk = new RotationJobs({
      repo: deps.repo,
      clock: deps.clock,
      log: this.log,
      mount: deps.mount,
      actor: deps.actor,
      ...(deps.cluster ? { cluster: deps.cluster } : {}),
      io: (mount) => this.io(mount),
      // Jobs stamp each tenant once (job-stamps.ts, in the background), not per secret.
      rotator: (io, schedules) => this.rotator(io, schedules, false),
      ...(deps.events ? { events: deps.events } : {}),
      ...(deps.index ? { index: deps.index } : {}),
      ...(deps.defaultConcurrency !== undefined ? { defaultConcurrency: deps.defaultConcurrency } : {}),
      ...(deps.failThreshold !== undefined ? { failThreshold: deps.failThreshold } : {}),
      ...(deps.minSample !== undefined ? { minSample: deps.minSample } : {}),
      ...(deps.sealPollMs !== undefined ? { sealPollMs: deps.sealPollMs } : {}),
      ...(deps.progressEveryMs !== undefined ? { progressEveryMs: deps.progressEveryMs } : {}),
      ...(deps.journalEveryMs !== undefined ? { journalEveryMs: deps.journalEveryMs } : {}),
    });
    // Last: it may act at once when the session is already signed in.
    this.automation = deps.session
      ? new RotationAutomation(this, { session: deps.session, clock: deps.clock, log: this.log, ...(deps.graceSweep === false ? {} : (deps.graceSweep ?? {})) })
      : null;
  }

  private now(): number {
    return this.deps.clock.now();
  }

  private io(mount = this.deps.mount()): RotationVaultIo {
    return new RotationVaultIo(this.deps.client(), mount);
  }

  private rotator(io: RotationVaultIo, schedules?: RotationSchedules, touchProfile = true): Rotator {
    let cached = schedules;
    return new Rotator(io, {
      now: () => this.now(),
      audit: this.deps.audit,
      touchProfile,
      schedules: async () => (cached ??= (await loadSchedules(io, (m) => this.log.warn(m))).schedules),
    });
  }

  // ---- one secret ----------------------------------------------------------------------

  /** Rotate Now: a required reason; expectedVersion (what the UI showed) turns a concurrent change into CONFLICT. */
  async rotateOne(tenantId: string, target: string, reason: string, expectedVersion?: number, opts: { incidentId?: string } = {}): Promise<RotateOutcome> {
    const t = rules(() => parseTarget(tenantId, target));
    const why = rules(() => checkReason(reason));
    const incidentId = opts.incidentId !== undefined ? rules(() => checkIncidentId(opts.incidentId)) : undefined;
    const io = this.io();
    const r = await this.rotator(io).rotate({ target: t, reason: why, actor: this.deps.actor(), expectedVersion, ...(incidentId ? { incidentId } : {}) });
    this.log.info(`tenant ${tenantId} ${t.path.slice(tenantId.length + 1)} rotated v${r.previousVersion}→v${r.version}`);
    this.deps.onRotated?.(tenantId);
    return r;
  }

  /** Emergency Reset: SMTP, or both SSH keys; incident ID required; no grace (the old credential is invalid at once). */
  async emergencyReset(tenantId: string, which: 'smtp' | 'ssh', incidentId: string, reason?: string): Promise<RotateOutcome[]> {
    const incident = rules(() => checkIncidentId(incidentId));
    const why = reason && reason.trim() !== '' ? rules(() => checkReason(reason)) : `Emergency reset (${incident})`;
    const targets = which === 'smtp' ? ['smtp'] : ['ssh-admin', 'ssh-tenant'];
    const parsed = targets.map((x) => rules(() => parseTarget(tenantId, x)));
    const io = this.io();
    const rot = this.rotator(io);
    const out: RotateOutcome[] = [];
    const failures: Array<{ path: string; err: unknown }> = [];
    // Each key on its own: in an incident, one key that cannot be reset must not keep the other valid.
    for (const t of parsed) {
      try {
        const r = await rot.rotate({ target: t, reason: why, actor: this.deps.actor(), emergency: true, incidentId: incident });
        this.log.info(`tenant ${tenantId} ${t.path.slice(tenantId.length + 1)} emergency reset v${r.previousVersion}→v${r.version} incident ${incident}`);
        out.push(r);
      } catch (err) {
        failures.push({ path: t.path, err });
      }
    }
    if (out.length > 0) this.deps.onRotated?.(tenantId);
    if (failures.length > 0) {
      const first = failures[0]!.err;
      if (out.length === 0) throw first;
      // Part of it happened: say exactly what, so nothing is lost and the rest can be retried.
      const done = out.map((r) => `${r.path} was reset (v${r.previousVersion}→v${r.version})`).join('; ');
      const failed = failures.map((f) => `${f.path} was NOT reset: ${f.err instanceof AppError ? f.err.message : 'internal error'}`).join('; ');
      throw new AppError(first instanceof AppError ? first.code : 'INTERNAL', `Emergency reset ${incident} incomplete: ${done}; ${failed}`);
    }
    return out;
  }

  /** Marks the previous SSH key / DKIM selector retired once its grace period is over. */
  async retireGrace(tenantId: string, target: string): Promise<boolean> {
    const t = rules(() => parseTarget(tenantId, target));
    const hold = await this.deps.retirementPolicy?.holdReason(t, this.now());
    if (hold) {
      this.log.info(`tenant ${tenantId} ${t.path.slice(tenantId.length + 1)}: retirement held back (${hold})`);
      return false;
    }
    const retired = await this.rotator(this.io()).retireIfDue(t, this.deps.actor());
    if (retired) {
      this.log.info(`tenant ${tenantId} ${t.path.slice(tenantId.length + 1)}: previous credential retired (grace over)`);
      this.deps.onRotated?.(tenantId);
    }
    return retired;
  }

  /**
   * One grace sweep over every secret whose grace period is over (the local index when it
   * covers this mount, else a Vault listing); each is re-checked in Vault and retired with
   * check-and-set. Runs by itself in the app (rotation-automation.ts).
   */
  async sweepGrace(): Promise<SweepResult> {
    const mount = this.deps.mount();
    const io = this.io(mount);
    const source = this.deps.index?.usable(mount) === true ? new IndexGraceSource((nowIso) => this.deps.repo.graceDue(nowIso)) : new VaultGraceSource(io);
    // Stamps once per tenant after the sweep (like a job), not once per retired secret.
    const rot = this.rotator(io, undefined, false);
    const actor = this.deps.actor();
    const r = await sweepGrace(source, this.now(), (t) => rot.retireIfDue(t, actor), this.deps.retirementPolicy);
    const tenants = [...new Set(r.retired.map((path) => path.split('/')[0]!))];
    if (tenants.length > 0) {
      const st = await bumpTenantStamps(io.client, io.mount, tenants, new Date(this.now()).toISOString());
      if (st.failed.length > 0) this.log.warn(`grace sweep: ${st.failed.length} tenant change stamp(s) not written; the next full inventory sync picks them up`);
    }
    for (const t of tenants) this.deps.onRotated?.(t);
    return r;
  }

  /** Resolves when no automatic grace sweep is running (tests). */
  async graceSweepIdle(): Promise<void> {
    await this.automation?.idle();
  }

  /** At sign-in: resumes this person's jobs that stopped by themselves (rotation-jobs.ts). */
  resumeInterrupted(): string[] {
    return this.bulk.resumeInterrupted();
  }

  /** The session ended under running jobs: they pause and resume at the next sign-in. */
  pauseForSignOut(): void {
    this.bulk.pauseForSignOut();
  }

  // ---- schedules -------------------------------------------------------------------------

  async schedules(): Promise<StoredSchedules> {
    const s = await loadSchedules(this.io(), (m) => this.log.warn(m));
    return { ...s, rescheduleJobId: null };
  }

  /** Saves the shared schedules (CAS) and starts a job that moves next_rotation of existing secrets whose period changed. */
  async setSchedules(schedules: RotationSchedules, expectedVersion: number): Promise<StoredSchedules> {
    const io = this.io();
    const before = await loadSchedules(io);
    const saved = await saveSchedules(io, schedules, expectedVersion, this.deps.actor(), new Date(this.now()).toISOString());
    const changed = (Object.keys(saved.schedules.days) as RotatableType[]).filter((t) => saved.schedules.days[t] !== before.schedules.days[t]);
    let rescheduleJobId: string | null = null;
    if (changed.length > 0) {
      const targets = await new VaultTargetSource(io).select({ mode: 'types', types: changed }, this.now());
      const label = `Reschedule ${changed.map((t) => `${t.toUpperCase()} ${saved.schedules.days[t]} days`).join(', ')}`;
      rescheduleJobId = this.bulk.startReschedule(label, { mode: 'types', types: changed }, io.mount, targets);
    }
    this.log.info(`rotation schedules saved v${saved.version}${rescheduleJobId ? `; reschedule job ${rescheduleJobId}` : ''}`);
    return { ...saved, rescheduleJobId };
  }

  // ---- bulk jobs (rotation-jobs.ts) -------------------------------------------------------

  preview(selection: BulkSelection): Promise<RotationPreview> {
    return this.bulk.preview(selection);
  }

  start(previewId: string, confirm: string, reason: string, concurrency?: number, opts: { incident?: boolean } = {}): Promise<JobSummary> {
    return this.bulk.start(previewId, confirm, reason, concurrency, opts);
  }

  resume(jobId: string): JobSummary {
    return this.bulk.resume(jobId);
  }

  pause(jobId: string): JobSummary {
    return this.bulk.pause(jobId);
  }

  cancel(jobId: string): JobSummary {
    return this.bulk.cancel(jobId);
  }

  wait(jobId: string): Promise<JobSummary> {
    return this.bulk.wait(jobId);
  }

  jobs(): JobSummary[] {
    return this.bulk.jobs();
  }

  report(jobId: string): JobReport {
    return this.bulk.report(jobId);
  }

  summary(jobId: string): JobSummary {
    return this.bulk.summary(jobId);
  }

  /** Incident response: a previewed job over an explicit list of secrets, tagged with the incident (rotation-jobs.ts). */
  previewPaths(sel: PathSelection): Promise<PathsPreview> {
    return this.bulk.previewPaths(sel);
  }

  jobDetail(jobId: string): ReturnType<RotationJobs['jobDetail']> {
    return this.bulk.jobDetail(jobId);
  }

  /** Stops every running job at the next item boundary (app quit); they resume next start. */
  async dispose(): Promise<void> {
    this.automation?.dispose();
    this.apiKeys.dispose();
    await this.bulk.dispose();
  }
}

function rules<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RuleError) throw new AppError('BAD_INPUT', err.message);
    throw err;
  }
}
