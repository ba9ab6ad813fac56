// Rotation for the app, the CLI and the harness: Rotate Now and Emergency Reset of one
// secret, and bulk jobs (preview → typed confirmation → job). A job lives in SQLite
// (RotationRepo): every item's state is committed before and after its Vault write, and
// each rotation carries rotation_id = "<job>:<item>" in the new version, so a job
// resumed after a quit or a crash recognises what it already did (no secret rotated
// twice) and still does everything left (none skipped).
import { randomBytes } from 'node:crypto';
import type { BulkSelection, JobReport, JobSummary, RotationPreview, StoredSchedules } from '../../../shared/contracts/rotation';
import { AppError } from '../../../shared/errors';
import {
  checkIncidentId,
  checkReason,
  confirmPhrase,
  isOverdue,
  nextRotation,
  parseTarget,
  RuleError,
  targetOfPath,
  type RotatableType,
  type RotationSchedules,
} from '../../../shared/rotation/rules';
import type { EventSink } from '../../handlers/types';
import { createLogger, type Logger } from '../log/logger';
import type { InventoryRepo } from '../storage/inventory-repo';
import type { ItemRow, JobRow, RotationRepo } from '../storage/rotation-repo';
import type { Clock } from '../time/clock';
import type { VaultClient } from '../vault/vault-client';
import { Rotator, type RotateOutcome, type RotationAudit } from './rotator';
import { RotationAutomation, type RotationAutomationDeps } from './rotation-automation';
import { loadSchedules, saveSchedules } from './schedules-store';
import { MemoryClipboard, type ContentProtection, type SecretClipboard } from '../reveal/clipboard';
import { ApiKeyHandover } from './api-key-handover';
import { IndexGraceSource, sweepGrace, VaultGraceSource, type RetirementPolicy, type SweepResult } from './grace-sweep';
import { JobJournal } from './job-journal';
import { JobStamps } from './job-stamps';
import { bumpTenantStamps } from '../vault/tenant-stamps';
import { IndexTargetSource, VaultTargetSource, type Target, type TargetQuery } from './targets';
import { RotationVaultIo } from './vault-io';

export interface RotationServiceDeps {
  repo: RotationRepo;
  clock: Clock;
  /** The signed-in session's client (throws UNAUTHENTICATED when signed out). */
  client: () => VaultClient;
  mount: () => string;
  /** Who is acting, recorded with every rotation. */
  actor: () => string;
  events?: Pick<EventSink, 'emit'>;
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

interface Preview {
  preview: RotationPreview;
  kind: 'all' | 'overdue';
  targets: Target[];
  mount: string;
  expiresAt: number;
}

interface Running {
  abort: AbortController;
  stop: { status: 'paused' | 'cancelled' | 'interrupted'; reason: string | null } | null;
  startedAt: number;
  finishedThisRun: number;
  promise: Promise<void>;
  /** Item outcomes not yet in SQLite; flushed before anything reads the counts. */
  journal: JobJournal | null;
}

const PREVIEW_TTL_MS = 15 * 60_000;
// Rotations in flight per job. Measured against OpenBao (bench/rotation-throughput.ts):
// 8 leaves ~12% on the table, 32 gains nothing over 16 and doubles the load on Vault.
export const DEFAULT_CONCURRENCY = 16;
// Errors that say "Vault is not there right now", not "this secret failed": the job pauses.
const PAUSE_CODES = new Set(['VAULT_SEALED', 'VAULT_UNREACHABLE', 'UNAUTHENTICATED']);
// Pause reasons that are not the user's decision nor the job's own rule: the job goes on
// by itself when the cause is gone (unseal, or the next sign-in; see resumeInterrupted).
const SEALED_REASON = 'Vault is sealed: the job resumes by itself after unseal.';
const UNREACHABLE_REASON = 'Vault is not reachable';
const CLOSED_REASON = 'The console was closed during the job; it resumes by itself at the next sign-in.';
const SIGNED_OUT_REASON = 'The Vault session ended; the job resumes by itself at the next sign-in.';

/** Stopped by something other than the user or the job's own rules: resumed automatically. */
function stoppedByItself(job: JobRow): boolean {
  if (job.status === 'interrupted') return true;
  if (job.status !== 'paused') return false;
  const r = job.pause_reason ?? '';
  return r === SEALED_REASON || r === SIGNED_OUT_REASON || r.startsWith(UNREACHABLE_REASON);
}

/** The same person, whether the job was started in the app or the CLI (whose actor ends in " (cli)"). */
function samePerson(a: string, b: string): boolean {
  const strip = (x: string) => x.replace(/ \(cli\)$/, '');
  return strip(a) === strip(b);
}

function clusterOf(job: JobRow): string | null {
  try {
    const c = (JSON.parse(job.selection_json) as { cluster?: unknown }).cluster;
    return typeof c === 'string' ? c : null;
  } catch {
    return null;
  }
}

export class RotationService {
  private readonly log: Logger;
  private readonly previews = new Map<string, Preview>();
  private readonly running = new Map<string, Running>();
  private readonly sealWatch = new Map<string, ReturnType<Clock['setTimeout']>>();

  private readonly automation: RotationAutomation | null;
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
    const n = deps.repo.markInterrupted();
    if (n.length > 0) this.log.warn(`${n.length} rotation job(s) were interrupted (${n.join(', ')}); they resume at the next sign-in (or "rotate --resume")`);
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
  async rotateOne(tenantId: string, target: string, reason: string, expectedVersion?: number): Promise<RotateOutcome> {
    const t = rules(() => parseTarget(tenantId, target));
    const why = rules(() => checkReason(reason));
    const io = this.io();
    const r = await this.rotator(io).rotate({ target: t, reason: why, actor: this.deps.actor(), expectedVersion });
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

  /**
   * At sign-in: resumes the jobs of this cluster and mount, started by this user, that
   * stopped by themselves (quit, crash, sealed, session ended). A job another user started,
   * or one the user or the failure-rate rule paused, waits for an explicit Resume.
   */
  resumeInterrupted(): string[] {
    const mount = this.deps.mount();
    const cluster = this.deps.cluster?.() ?? null;
    const actor = this.deps.actor();
    const out: string[] = [];
    for (const job of this.deps.repo.unfinishedJobs()) {
      if (this.running.has(job.id) || !stoppedByItself(job)) continue;
      if (job.mount !== mount || clusterOf(job) !== cluster || !samePerson(job.actor, actor)) continue;
      this.log.info(`job ${job.id}: resuming by itself (${job.pause_reason ?? job.status})`);
      this.launch(job.id);
      out.push(job.id);
    }
    return out;
  }

  /** The session ended under running jobs: they stop at the next item boundary and resume at the next sign-in. */
  pauseForSignOut(): void {
    for (const [id, r] of this.running) {
      if (r.stop) continue;
      r.stop = { status: 'paused', reason: SIGNED_OUT_REASON };
      // Requests in flight fail without a token; those items go back to the queue, not to "failed".
      r.abort.abort();
      this.log.info(`job ${id}: pausing, the session ended`);
    }
    for (const id of [...this.sealWatch.keys()]) this.stopSealWatch(id);
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
      rescheduleJobId = this.createJob('reschedule', label, { mode: 'types', types: changed }, io.mount, targets, 'Rotation schedule changed', this.deps.defaultConcurrency ?? DEFAULT_CONCURRENCY);
      this.launch(rescheduleJobId);
    }
    this.log.info(`rotation schedules saved v${saved.version}${rescheduleJobId ? `; reschedule job ${rescheduleJobId}` : ''}`);
    return { ...saved, rescheduleJobId };
  }

  // ---- bulk ------------------------------------------------------------------------------

  async preview(selection: BulkSelection): Promise<RotationPreview> {
    const mount = this.deps.mount();
    const nowMs = this.now();
    const useIndex = selection.mode === 'overdue' && this.deps.index?.usable(mount) === true;
    const source = useIndex ? new IndexTargetSource(this.deps.index!.repo) : new VaultTargetSource(this.io(mount));
    const targets = await source.select(selection, nowMs);
    const byType = { ssh: 0, smtp: 0, dkim: 0, api: 0 };
    for (const t of targets) byType[t.type]++;
    const previewId = `pv-${randomBytes(8).toString('hex')}`;
    const label = selection.mode === 'all' ? `Rotate all ${selection.type === 'ssh' ? 'SSH keys' : 'SMTP credentials'}` : `Rotate overdue secrets${selection.types ? ` (${selection.types.join(', ')})` : ''}`;
    const preview: RotationPreview = {
      previewId,
      selection,
      label,
      total: targets.length,
      byType,
      tenants: new Set(targets.map((t) => t.tenantId)).size,
      source: source.name,
      confirmPhrase: confirmPhrase(targets.length),
      sample: targets.slice(0, 20).map((t) => t.path),
      expiresAt: new Date(nowMs + PREVIEW_TTL_MS).toISOString(),
    };
    for (const [id, p] of this.previews) if (p.expiresAt < nowMs) this.previews.delete(id);
    this.previews.set(previewId, { preview, kind: selection.mode, targets, mount, expiresAt: nowMs + PREVIEW_TTL_MS });
    return preview;
  }

  /** Starts the job of a preview after the typed confirmation; returns at once (progress comes as events). */
  start(previewId: string, confirm: string, reason: string, concurrency?: number): JobSummary {
    const p = this.previews.get(previewId);
    if (!p || p.expiresAt < this.now()) throw new AppError('NOT_FOUND', 'That preview has expired; preview the rotation again.');
    if (confirm.trim() !== p.preview.confirmPhrase) throw new AppError('BAD_INPUT', `Type "${p.preview.confirmPhrase}" to confirm.`);
    const why = rules(() => checkReason(reason));
    if (p.targets.length === 0) throw new AppError('BAD_INPUT', 'Nothing to rotate.');
    this.previews.delete(previewId);
    const id = this.createJob(p.kind, p.preview.label, p.preview.selection, p.mount, p.targets, why, concurrency ?? this.deps.defaultConcurrency ?? DEFAULT_CONCURRENCY);
    this.launch(id);
    return this.summary(id);
  }

  private createJob(kind: JobRow['kind'], label: string, selection: TargetQuery, mount: string, targets: Target[], reason: string, concurrency: number): string {
    const id = `job-${new Date(this.now()).toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(4).toString('hex')}`;
    this.deps.repo.createJob(
      {
        id,
        kind,
        label,
        // The cluster goes with the selection: a job resumes only against the Vault it started on.
        selection_json: JSON.stringify({ ...selection, cluster: this.deps.cluster?.() ?? null }),
        mount,
        status: 'running',
        actor: this.deps.actor(),
        reason,
        concurrency,
        fail_threshold: this.deps.failThreshold ?? 0.2,
        created_at: new Date(this.now()).toISOString(),
      },
      targets.map((t) => ({ tenantId: t.tenantId, path: t.path, baseVersion: t.baseVersion })),
    );
    this.log.info(`job ${id} created: ${label}, ${targets.length} item(s), concurrency ${concurrency}`);
    return id;
  }

  /** Resumes a paused or interrupted job (also after a crash, from another process). */
  resume(jobId: string): JobSummary {
    const job = this.requireJob(jobId);
    if (this.running.has(jobId)) return this.summary(jobId);
    if (job.status === 'completed' || job.status === 'cancelled') throw new AppError('CONFLICT', `Job ${jobId} is ${job.status}; it cannot be resumed.`);
    const cluster = clusterOf(job);
    if (cluster !== null && this.deps.cluster && cluster !== this.deps.cluster()) {
      throw new AppError('CONFLICT', `Job ${jobId} was started on another Vault (${cluster.split('|')[0]}); switch to that connection profile to resume it.`);
    }
    // The user resumes after checking the report: the failed secrets are tried again (a
    // failed item wrote nothing, or its marker tells the retry so; nothing rotates twice).
    const retried = this.deps.repo.requeueFailed(jobId);
    if (retried > 0) this.log.info(`job ${jobId}: ${retried} failed item(s) go back to the queue`);
    this.launch(jobId);
    return this.summary(jobId);
  }

  pause(jobId: string): JobSummary {
    const r = this.running.get(jobId);
    if (!r) throw new AppError('CONFLICT', `Job ${jobId} is not running.`);
    r.stop = { status: 'paused', reason: 'Paused by the user.' };
    return this.summary(jobId);
  }

  cancel(jobId: string): JobSummary {
    const job = this.requireJob(jobId);
    const r = this.running.get(jobId);
    if (r) {
      r.stop = { status: 'cancelled', reason: null };
      r.abort.abort();
    } else if (job.status === 'paused' || job.status === 'interrupted') {
      this.stopSealWatch(jobId);
      this.deps.repo.setStatus(jobId, 'cancelled', null, new Date(this.now()).toISOString());
      this.emit(jobId);
    } else {
      throw new AppError('CONFLICT', `Job ${jobId} is ${job.status}.`);
    }
    return this.summary(jobId);
  }

  /** Resolves when the job's current run ends (completed, paused or cancelled). */
  async wait(jobId: string): Promise<JobSummary> {
    await this.running.get(jobId)?.promise;
    return this.summary(jobId);
  }

  jobs(): JobSummary[] {
    return this.deps.repo.jobs(20).map((j) => this.summaryOf(j));
  }

  report(jobId: string): JobReport {
    const job = this.requireJob(jobId);
    return {
      ...this.summaryOf(job),
      failures: this.deps.repo.items(jobId, 'failed').map((i) => ({ tenantId: i.tenant_id, path: i.path, code: i.error_code ?? 'INTERNAL', reason: i.error ?? '' })),
      skippedItems: this.deps.repo.items(jobId, 'skipped').map((i) => ({ tenantId: i.tenant_id, path: i.path, reason: i.error ?? '' })),
    };
  }

  summary(jobId: string): JobSummary {
    return this.summaryOf(this.requireJob(jobId));
  }

  private requireJob(jobId: string): JobRow {
    const job = this.deps.repo.job(jobId);
    if (!job) throw new AppError('NOT_FOUND', `No rotation job ${jobId.slice(0, 64)}.`);
    return job;
  }

  private summaryOf(job: JobRow): JobSummary {
    const r = this.running.get(job.id);
    this.flushJournal(job.id, r);
    const c = this.deps.repo.counts(job.id);
    const remaining = c.pending + c.running;
    const elapsed = r ? (this.now() - r.startedAt) / 1000 : 0;
    const rate = r && elapsed > 0 ? r.finishedThisRun / elapsed : 0;
    return {
      id: job.id,
      label: job.label,
      status: job.status,
      pauseReason: job.pause_reason,
      total: job.total,
      done: c.done,
      failed: c.failed,
      skipped: c.skipped,
      remaining,
      rate: Math.round(rate * 10) / 10,
      etaSeconds: r && rate > 0 ? Math.round(remaining / rate) : null,
      createdAt: job.created_at,
      finishedAt: job.finished_at,
      actor: job.actor,
      reason: job.reason,
    };
  }

  private flushJournal(jobId: string, r: Running | undefined): void {
    try {
      r?.journal?.flush();
    } catch (err) {
      this.journalFailed(jobId, r!, err);
    }
  }

  private journalFailed(jobId: string, r: Running, err: unknown): void {
    this.log.error(`job ${jobId}: progress could not be written to the local database`, err);
    r.stop ??= { status: 'paused', reason: 'The local database could not record progress; resume when it can (nothing is rotated twice).' };
  }

  private emit(jobId: string): void {
    try {
      this.deps.events?.emit('rotation:job-progress', this.summary(jobId));
    } catch (err) {
      this.log.warn(`job ${jobId}: progress event failed (${err instanceof Error ? err.message : 'error'})`);
    }
  }

  private launch(jobId: string): void {
    this.stopSealWatch(jobId);
    const run: Running = { abort: new AbortController(), stop: null, startedAt: this.now(), finishedThisRun: 0, promise: Promise.resolve(), journal: null };
    this.running.set(jobId, run);
    this.deps.repo.setStatus(jobId, 'running', null);
    run.promise = this.runJob(jobId, run)
      .catch((err: unknown) => {
        // Something outside one item failed (e.g. the session ended): keep the job resumable.
        const code = err instanceof AppError ? err.code : 'INTERNAL';
        const why =
          code === 'VAULT_SEALED' ? SEALED_REASON
          : code === 'VAULT_UNREACHABLE' ? `${UNREACHABLE_REASON} (${code}); the job resumes by itself when it is back.`
          : code === 'UNAUTHENTICATED' ? SIGNED_OUT_REASON
          : err instanceof AppError ? err.message
          : 'internal error';
        this.log.error(`job ${jobId} stopped: ${why}`, err instanceof AppError ? undefined : err);
        this.deps.repo.setStatus(jobId, 'paused', why);
        return code === 'VAULT_SEALED' || code === 'VAULT_UNREACHABLE';
      })
      .then((watch) => {
        this.running.delete(jobId);
        // Vault went away before the first item (schedules read): watch it like a pause mid-job.
        if (watch === true) this.watchUnseal(jobId);
        this.emit(jobId);
      });
    this.emit(jobId);
  }

  private async runJob(jobId: string, run: Running): Promise<void> {
    const job = this.requireJob(jobId);
    const io = this.io(job.mount);
    const schedules = (await loadSchedules(io, (m) => this.log.warn(m))).schedules;
    // Jobs stamp each tenant once (job-stamps.ts, in the background), not per secret.
    const rot = this.rotator(io, schedules, false);
    const items = this.deps.repo.openItems(jobId);
    const minSample = this.deps.minSample ?? 10;
    const journal = new JobJournal(this.deps.repo, jobId, this.deps.clock, this.deps.journalEveryMs ?? 100, (err) => this.journalFailed(jobId, run, err));
    run.journal = journal;
    // Reschedule jobs change metadata only, and they stamp like the others (the index shows next_rotation).
    const stamps = new JobStamps(io.client, io.mount, this.deps.clock, 200, Math.max(4, Math.min(16, job.concurrency)), items.map((i) => i.tenant_id));
    let next = 0;
    let lastEmit = 0;
    let vaultAway = false;
    // Write SMTP without reading first while the policy allows the data PATCH (see processItem).
    const fast = { on: true };
    // This run's outcomes, for the failure-rate rule without reading SQLite per item.
    const before = this.deps.repo.counts(jobId);
    let done = before.done;
    let failed = before.failed;

    const worker = async () => {
      while (next < items.length && !run.stop) {
        const item = items[next++]!;
        try {
          const r = await this.processItem(job, item, io, rot, schedules, fast);
          journal.record({ seq: item.seq, state: r.state, at: new Date(this.now()).toISOString(), newVersion: r.version ?? null, error: r.reason ?? null });
          if (r.state === 'done') done++;
          stamps.itemFinished(item.tenant_id, r.state === 'done');
        } catch (err) {
          const code = err instanceof AppError ? err.code : 'INTERNAL';
          if (PAUSE_CODES.has(code) || run.abort.signal.aborted) {
            // Not this secret's fault: it stays pending; on resume the rotation_id marker tells whether the write landed.
            if (item.state !== 'pending') journal.record({ seq: item.seq, state: 'pending', at: null });
            if (!run.abort.signal.aborted && !run.stop) {
              const sealed = code === 'VAULT_SEALED' || (code === 'VAULT_UNREACHABLE' && (await io.sealed()));
              run.stop ??= { status: 'paused', reason: sealed ? SEALED_REASON : code === 'UNAUTHENTICATED' ? SIGNED_OUT_REASON : `${UNREACHABLE_REASON} (${code}); the job resumes by itself when it is back.` };
              // Only when this is why the run stops (not a pause by the user in the meantime).
              vaultAway = run.stop.reason === SEALED_REASON || (run.stop.reason ?? '').startsWith(UNREACHABLE_REASON);
            }
            continue;
          }
          const msg = err instanceof AppError ? err.message : 'Internal error (see the log).';
          if (!(err instanceof AppError)) this.log.error(`job ${jobId} item ${item.seq} failed`, err);
          journal.record({ seq: item.seq, state: 'failed', at: new Date(this.now()).toISOString(), code, error: msg });
          failed++;
          // A failure may come after the data write (the metadata PATCH): a stamp too many only costs a rescan.
          stamps.itemFinished(item.tenant_id, true);
          const finished = done + failed;
          if (finished >= minSample && failed / finished > job.fail_threshold) {
            run.stop ??= { status: 'paused', reason: `Failure rate ${Math.round((failed / finished) * 100)}% is over the ${Math.round(job.fail_threshold * 100)}% threshold; check the report, then resume or cancel.` };
          }
        }
        run.finishedThisRun++;
        if (this.now() - lastEmit >= (this.deps.progressEveryMs ?? 250)) {
          lastEmit = this.now();
          this.emit(jobId);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.max(1, job.concurrency) }, worker));
    } finally {
      run.journal = null;
      journal.close();
    }

    // Tenants an earlier run of this job rotated (that run may have died before stamping them).
    const earlier = before.done > 0 ? [...new Set(this.deps.repo.items(jobId, 'done', 1_000_000).map((i) => i.tenant_id))] : [];
    await stamps.close(earlier);
    if (stamps.failed > 0) this.log.warn(`job ${jobId}: ${stamps.failed} tenant change stamp(s) not written; the next full inventory sync picks them up`);
    const finishedAt = new Date(this.now()).toISOString();
    if (run.stop?.status === 'cancelled') {
      this.deps.repo.setStatus(jobId, 'cancelled', null, finishedAt);
      this.log.info(`job ${jobId} cancelled`);
    } else if (run.stop?.status === 'interrupted') {
      // The console is closing: the job resumes by itself at the next start (resumeInterrupted).
      this.deps.repo.setStatus(jobId, 'interrupted', run.stop.reason);
      this.log.warn(`job ${jobId} interrupted: ${run.stop.reason}`);
    } else if (run.stop) {
      this.deps.repo.setStatus(jobId, 'paused', run.stop.reason);
      this.log.warn(`job ${jobId} paused: ${run.stop.reason}`);
      // Sealed or unreachable: watch Vault and go on by itself when it is back and unsealed.
      if (vaultAway) this.watchUnseal(jobId);
    } else {
      const c = this.deps.repo.counts(jobId);
      this.deps.repo.setStatus(jobId, 'completed', null, finishedAt);
      this.log.info(`job ${jobId} completed: ${c.done} done, ${c.failed} failed, ${c.skipped} skipped`);
    }
  }

  private async processItem(job: JobRow, item: ItemRow, io: RotationVaultIo, rot: Rotator, schedules: RotationSchedules, fast: { on: boolean }): Promise<{ state: 'done' | 'skipped'; version?: number; reason?: string }> {
    const target = targetOfPath(item.path);
    if (!target) return { state: 'skipped', reason: 'Not a rotatable path of the layout.' };
    if (job.kind === 'reschedule') return this.reschedule(io, item, target.type, schedules);
    const rotationId = `${job.id}:${item.seq}`;
    if (fast.on && job.kind === 'all' && target.type === 'smtp' && item.base_version > 0) {
      // Fast path: write with check-and-set on the version the preview saw, without reading
      // first. If that version is not current any more (someone rotated, this job already
      // did before a crash, the secret is gone), read once below and decide as always.
      try {
        const r = await rot.rotateSmtpAt({ target, reason: job.reason, actor: job.actor, jobId: job.id, rotationId }, item.base_version);
        return { state: 'done', version: r.version };
      } catch (err) {
        if (!(err instanceof AppError) || !['CONFLICT', 'NOT_FOUND', 'PERMISSION_DENIED'].includes(err.code)) throw err;
        // A policy without "patch" on the data path may still allow read + write: use that for the rest of the run.
        if (err.code === 'PERMISSION_DENIED') fast.on = false;
      }
    }
    const cur = await io.current(item.path);
    if (!cur) return { state: 'skipped', reason: 'The secret no longer exists (tenant or secret deleted during the job).' };
    if (cur.data.rotation_id === rotationId) {
      // This job already rotated it (the process stopped before recording that): finish, never rotate again.
      await rot.repairMetadata(target, cur);
      return { state: 'done', version: cur.version };
    }
    const rotatedAt = typeof cur.data.rotated_at === 'string' ? Date.parse(cur.data.rotated_at) : NaN;
    if (!Number.isNaN(rotatedAt) && rotatedAt >= Date.parse(job.created_at)) {
      return { state: 'skipped', reason: `Already rotated at ${String(cur.data.rotated_at)} by ${String(cur.data.rotated_by ?? 'someone')} after the job started.` };
    }
    if (job.kind === 'overdue' && !isOverdue(cur.customMetadata, this.now())) return { state: 'skipped', reason: 'No longer overdue (rotated or rescheduled since the preview).' };
    if (target.type === 'api' && cur.customMetadata.status === 'revoked') return { state: 'skipped', reason: 'Revoked API key (kept for audit).' };
    const r = await rot.rotate({ target, reason: job.reason, actor: job.actor, jobId: job.id, rotationId, current: cur });
    return { state: 'done', version: r.version };
  }

  private async reschedule(io: RotationVaultIo, item: ItemRow, type: RotatableType, schedules: RotationSchedules): Promise<{ state: 'done' | 'skipped'; version?: number; reason?: string }> {
    const md = await io.metadata(item.path);
    if (!md) return { state: 'skipped', reason: 'The secret no longer exists.' };
    const last = Date.parse(md.customMetadata.last_rotated ?? '');
    if (Number.isNaN(last)) return { state: 'skipped', reason: 'No last_rotated in its metadata.' };
    const days = schedules.days[type];
    await io.patchMetadata(item.path, { rotation_days: String(days), next_rotation: nextRotation(last, days) });
    return { state: 'done', version: md.currentVersion };
  }

  private watchUnseal(jobId: string): void {
    const tick = async () => {
      this.sealWatch.delete(jobId);
      const job = this.deps.repo.job(jobId);
      if (!job || !stoppedByItself(job) || job.status !== 'paused' || this.running.has(jobId)) return;
      let sealed = true;
      try {
        sealed = await this.io(job.mount).sealed();
      } catch {
        sealed = true;
      }
      if (!sealed) {
        this.log.info(`job ${jobId}: Vault is unsealed again; resuming`);
        this.launch(jobId);
      } else {
        this.sealWatch.set(jobId, this.deps.clock.setTimeout(() => void tick(), this.deps.sealPollMs ?? 2000));
      }
    };
    this.sealWatch.set(jobId, this.deps.clock.setTimeout(() => void tick(), this.deps.sealPollMs ?? 2000));
  }

  private stopSealWatch(jobId: string): void {
    const h = this.sealWatch.get(jobId);
    if (h) this.deps.clock.clearTimeout(h);
    this.sealWatch.delete(jobId);
  }

  /** Stops every running job at the next item boundary (app quit); they resume next start. */
  async dispose(): Promise<void> {
    this.automation?.dispose();
    this.apiKeys.dispose();
    for (const id of [...this.sealWatch.keys()]) this.stopSealWatch(id);
    const runs = [...this.running.entries()];
    for (const [, r] of runs) {
      r.stop ??= { status: 'interrupted', reason: CLOSED_REASON };
    }
    await Promise.all(runs.map(([, r]) => r.promise));
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
