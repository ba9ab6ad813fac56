// Bulk rotation jobs: preview → typed confirmation → job. A preview lists what the job
// will rotate (each secret with the version it saw), what it leaves out (API keys, which
// are rotated one by one; what this identity may not rotate, per sys/capabilities-self),
// and the phrase to type. A job lives in SQLite (RotationRepo): item outcomes are
// journalled in batches, and each rotation carries rotation_id = "<job>:<item>" in the new
// version, so a job resumed after a quit or a crash recognises what it already did (no
// secret rotated twice) and still does everything left (none skipped). What a job does
// with each secret is decided in job-items.ts: never anything changed since its preview.
import { randomBytes } from 'node:crypto';
import type { BulkSelection, JobReport, JobSummary, RotationPreview } from '../../../shared/contracts/rotation';
import type { EventName, EventPayload } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { checkIncidentId, checkReason, confirmPhrase, ONE_BY_ONE_NOTE, rotatableInBulk, RuleError, targetOfPath, type RotatableType, type RotationSchedules } from '../../../shared/rotation/rules';
import type { Logger } from '../log/logger';
import type { InventoryRepo } from '../storage/inventory-repo';
import type { ItemRow, JobRow, RotationRepo } from '../storage/rotation-repo';
import type { Clock } from '../time/clock';
import { parseSelection, processRescheduleItem, processRotationItem, type ItemContext, type ItemOutcome } from './job-items';
import { JobJournal } from './job-journal';
import { checkJobPermissions } from './job-permissions';
import { planPreview } from './job-preview';
import { JobStamps } from './job-stamps';
import type { Rotator } from './rotator';
import { loadSchedules } from './schedules-store';
import { VaultTargetSource, type Target, type TargetQuery } from './targets';
import type { RotationVaultIo } from './vault-io';

/** Where jobs report progress (the app's window, the harness); a port, implemented above. */
export interface RotationEvents {
  emit<K extends EventName>(event: K, payload: EventPayload<K>): void;
}

export interface RotationJobsDeps {
  repo: RotationRepo;
  clock: Clock;
  log: Logger;
  mount: () => string;
  actor: () => string;
  cluster?: () => string;
  io: (mount?: string) => RotationVaultIo;
  /** A rotator for a job: the schedules loaded once per run, no per-secret tenant stamp. */
  rotator: (io: RotationVaultIo, schedules: RotationSchedules) => Rotator;
  events?: Pick<RotationEvents, 'emit'>;
  index?: { repo: InventoryRepo; usable(mount: string): boolean };
  defaultConcurrency?: number;
  failThreshold?: number;
  minSample?: number;
  sealPollMs?: number;
  progressEveryMs?: number;
  journalEveryMs?: number;
}

/**
 * An explicit list of secrets for one job tagged with an incident (incident response: the
 * secrets an identity read, from the audit store). Each path is read from Vault and its
 * permission asked at preview; API keys never join a bulk job (their new key is handed
 * over one by one).
 */
export interface PathSelection {
  label: string;
  /** Relative to the mount, e.g. "t-000042/ssh/admin". */
  paths: readonly string[];
  incidentId: string;
}

export interface PathsPreview {
  previewId: string;
  label: string;
  incidentId: string;
  total: number;
  byType: { ssh: number; smtp: number; dkim: number; api: number };
  tenants: number;
  confirmPhrase: string;
  expiresAt: string;
  /** What the job rotates, with the version the preview saw (a later change is reported, never overwritten). */
  targets: Array<{ path: string; type: RotatableType; version: number }>;
  /** What the job leaves out, and why (API keys: one by one; gone; not allowed; not a rotatable secret). */
  excluded: Array<{ path: string; reason: string; type: RotatableType | null }>;
}

/** Why an API key is never part of a bulk job: its new key is shown once, to a person. */
export const API_KEY_ONE_BY_ONE = `API key: ${ONE_BY_ONE_NOTE}`;

interface Preview {
  /** A bulk selection's preview; absent for an incident preview (PathsPreview). */
  preview?: RotationPreview;
  label: string;
  confirmPhrase: string;
  /** Who looked at it: only they may start it (another identity previews for itself). */
  actor: string;
  kind: 'all' | 'overdue' | 'incident';
  selection: BulkSelection | { mode: 'paths'; incidentId: string; count: number; oneByOne: string[] };
  incidentId?: string;
  targets: Target[];
  mount: string;
  createdAt: number;
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

function rules<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RuleError) throw new AppError('BAD_INPUT', err.message);
    throw err;
  }
}

export class RotationJobs {
  private readonly previews = new Map<string, Preview>();
  private readonly running = new Map<string, Running>();
  private readonly sealWatch = new Map<string, ReturnType<Clock['setTimeout']>>();

  constructor(private readonly deps: RotationJobsDeps) {
    const n = deps.repo.markInterrupted();
    if (n.length > 0) deps.log.warn(`${n.length} rotation job(s) were interrupted (${n.join(', ')}); they resume at the next sign-in (or "rotate --resume")`);
  }

  private now(): number {
    return this.deps.clock.now();
  }

  // ---- preview and start -------------------------------------------------------------------

  async preview(selection: BulkSelection): Promise<RotationPreview> {
    const mount = this.deps.mount();
    const nowMs = this.now();
    let jobPaths: string[] | null = null;
    if (selection.mode === 'changed') {
      const job = this.requireJob(selection.jobId);
      if (!this.isHere(job)) throw new AppError('CONFLICT', `Job ${job.id} ran against another Vault or mount; switch to it to rotate its secrets again.`);
      jobPaths = this.deps.repo.skippedItems(job.id, true, 1_000_000).map((i) => i.path);
      if (jobPaths.length === 0) throw new AppError('BAD_INPUT', `Job ${job.id} reported nothing as changed since its preview.`);
    }
    const planned = await planPreview({ io: this.deps.io(mount), mount, nowMs, index: this.deps.index, ttlMs: PREVIEW_TTL_MS }, selection, jobPaths);
    for (const [id, p] of this.previews) if (p.expiresAt < nowMs) this.previews.delete(id);
    this.keep(planned.preview.previewId, { ...planned, label: planned.preview.label, confirmPhrase: planned.preview.confirmPhrase, actor: this.deps.actor(), selection, mount, createdAt: nowMs, expiresAt: nowMs + PREVIEW_TTL_MS });
    return planned.preview;
  }

  private keep(previewId: string, p: Preview): void {
    for (const [id, old] of this.previews) if (old.expiresAt < this.now()) this.previews.delete(id);
    this.previews.set(previewId, p);
  }

  /**
   * Preview of a job over an explicit list of secrets, tagged with an incident id (incident
   * response). Emergency semantics: no grace period; the incident id goes into each new
   * version, its custom_metadata and the audit header. Each path is read from Vault now
   * (the job rotates a secret only while it still has the version seen here) and this
   * identity's permission for it asked of Vault; API keys are left out (one by one).
   */
  async previewPaths(sel: PathSelection): Promise<PathsPreview> {
    const incidentId = rules(() => checkIncidentId(sel.incidentId));
    const mount = this.deps.mount();
    const io = this.deps.io(mount);
    const nowMs = this.now();
    const unique = [...new Set(sel.paths)].sort();
    const excluded: PathsPreview['excluded'] = [];
    const layout: string[] = [];
    for (const path of unique) {
      const t = targetOfPath(path);
      if (!t) excluded.push({ path, reason: 'Not a rotatable secret of the layout.', type: null });
      else if (!rotatableInBulk(t.type)) excluded.push({ path, reason: API_KEY_ONE_BY_ONE, type: t.type });
      else layout.push(path);
    }
    const found = await new VaultTargetSource(io).paths(layout);
    const seen = new Set(found.map((t) => t.path));
    for (const path of layout) if (!seen.has(path)) excluded.push({ path, reason: 'The secret no longer exists.', type: targetOfPath(path)!.type });
    const perms = await checkJobPermissions(io.client, mount, found.map((t) => t.path));
    const targets = found.filter((t) => !perms.denied.has(t.path));
    for (const t of found) if (perms.denied.has(t.path)) excluded.push({ path: t.path, reason: `You may not rotate it: ${perms.denied.get(t.path)!}`, type: t.type });
    excluded.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const byType = { ssh: 0, smtp: 0, dkim: 0, api: 0 };
    for (const t of targets) byType[t.type]++;
    const previewId = `pv-${randomBytes(8).toString('hex')}`;
    const label = sel.label.slice(0, 200);
    const phrase = confirmPhrase(targets.length);
    this.keep(previewId, {
      label,
      confirmPhrase: phrase,
      actor: this.deps.actor(),
      kind: 'incident',
      selection: { mode: 'paths', incidentId, count: targets.length, oneByOne: excluded.filter((e) => e.type === 'api').map((e) => e.path) },
      incidentId,
      targets,
      mount,
      createdAt: nowMs,
      expiresAt: nowMs + PREVIEW_TTL_MS,
    });
    return {
      previewId,
      label,
      incidentId,
      total: targets.length,
      byType,
      tenants: new Set(targets.map((t) => t.tenantId)).size,
      confirmPhrase: phrase,
      expiresAt: new Date(nowMs + PREVIEW_TTL_MS).toISOString(),
      targets: targets.map((t) => ({ path: t.path, type: t.type, version: t.baseVersion })),
      excluded,
    };
  }

  /**
   * Starts the job of a preview after the typed confirmation. Main asks Vault again whether
   * this identity may rotate every one of its secrets before the first write; returns once
   * the job runs (progress comes as events).
   */
  async start(previewId: string, confirm: string, reason: string, concurrency?: number, opts: { incident?: boolean } = {}): Promise<JobSummary> {
    const p = this.previews.get(previewId);
    if (!p || p.expiresAt < this.now()) throw new AppError('NOT_FOUND', 'That preview has expired; preview the rotation again.');
    // The incident view starts incident previews only (nothing starts before this is known).
    if (opts.incident === true && p.kind !== 'incident') throw new AppError('BAD_INPUT', 'That preview is not an incident job; preview it from the Incident view.');
    if (p.actor !== this.deps.actor() || p.mount !== this.deps.mount()) throw new AppError('CONFLICT', 'That preview was made by another identity or for another mount; preview the rotation again.');
    if (confirm.trim() !== p.confirmPhrase) throw new AppError('BAD_INPUT', `Type "${p.confirmPhrase}" to confirm.`);
    const why = rules(() => checkReason(reason));
    if (p.targets.length === 0) {
      if (p.preview && p.preview.notAllowed.total > 0) throw new AppError('PERMISSION_DENIED', `You may not rotate any of these secrets: ${p.preview.notAllowed.items[0]!.reason}`);
      throw new AppError('BAD_INPUT', 'Nothing to rotate.');
    }
    // Used once, even when two clicks arrive together.
    this.previews.delete(previewId);
    const perms = await checkJobPermissions(this.deps.io(p.mount).client, p.mount, p.targets.map((t) => t.path));
    if (perms.denied.size > 0) {
      const first = [...perms.denied.values()][0]!;
      throw new AppError('PERMISSION_DENIED', `Your permissions changed since the preview: ${perms.denied.size} of ${p.targets.length} secret(s) may not be rotated now (${first}) Nothing was rotated; preview again.`);
    }
    const selection = { ...p.selection, previewedAt: new Date(p.createdAt).toISOString(), noLayout: p.targets.filter((t) => !t.hasLayoutMetadata).map((t) => t.path) };
    const id = this.createJob(p.kind, p.label, selection, p.mount, p.targets, why, concurrency ?? this.deps.defaultConcurrency ?? DEFAULT_CONCURRENCY, p.incidentId ?? null);
    this.launch(id, true);
    return this.summary(id);
  }

  /** A job over every secret of some types whose period changed (metadata only), started at once. */
  startReschedule(label: string, types: TargetQuery & { mode: 'types' }, mount: string, targets: Target[]): string {
    const id = this.createJob('reschedule', label, { ...types, previewedAt: new Date(this.now()).toISOString() }, mount, targets, 'Rotation schedule changed', this.deps.defaultConcurrency ?? DEFAULT_CONCURRENCY);
    this.launch(id, false);
    return id;
  }

  private createJob(kind: JobRow['kind'], label: string, selection: object, mount: string, targets: Target[], reason: string, concurrency: number, incidentId: string | null = null): string {
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
        incident_id: incidentId,
      },
      targets.map((t) => ({ tenantId: t.tenantId, path: t.path, baseVersion: t.baseVersion })),
    );
    this.deps.log.info(`job ${id} created: ${label}, ${targets.length} item(s), concurrency ${concurrency}`);
    return id;
  }

  // ---- control -------------------------------------------------------------------------------

  /** Resumes a paused or interrupted job (also after a crash, from another process). */
  resume(jobId: string): JobSummary {
    const job = this.requireJob(jobId);
    if (this.running.has(jobId)) return this.summary(jobId);
    if (job.status === 'completed' || job.status === 'cancelled') throw new AppError('CONFLICT', `Job ${jobId} is ${job.status}; it cannot be resumed.`);
    const cluster = parseSelection(job).cluster;
    if (cluster !== null && this.deps.cluster && cluster !== this.deps.cluster()) {
      throw new AppError('CONFLICT', `Job ${jobId} was started on another Vault (${cluster.split('|')[0]}); switch to that connection profile to resume it.`);
    }
    // The user resumes after checking the report: the failed secrets are tried again (a
    // failed item wrote nothing, or its marker tells the retry so; nothing rotates twice).
    const retried = this.deps.repo.requeueFailed(jobId);
    if (retried > 0) this.deps.log.info(`job ${jobId}: ${retried} failed item(s) go back to the queue`);
    this.launch(jobId, false);
    return this.summary(jobId);
  }

  /**
   * At sign-in: resumes the jobs of this cluster and mount, started by this user, that
   * stopped by themselves (quit, crash, sealed, session ended). A job another user started,
   * or one the user or the failure-rate rule paused, waits for an explicit Resume.
   */
  resumeInterrupted(): string[] {
    const actor = this.deps.actor();
    const out: string[] = [];
    for (const job of this.deps.repo.unfinishedJobs()) {
      if (this.running.has(job.id) || !stoppedByItself(job)) continue;
      if (!this.isHere(job) || parseSelection(job).cluster !== (this.deps.cluster?.() ?? null) || !samePerson(job.actor, actor)) continue;
      this.deps.log.info(`job ${job.id}: resuming by itself (${job.pause_reason ?? job.status})`);
      this.launch(job.id, false);
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
      this.deps.log.info(`job ${id}: pausing, the session ended`);
    }
    for (const id of [...this.sealWatch.keys()]) this.stopSealWatch(id);
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

  // ---- reading -------------------------------------------------------------------------------

  jobs(): JobSummary[] {
    return this.deps.repo.jobs(20).map((j) => this.summaryOf(j));
  }

  report(jobId: string): JobReport {
    const job = this.requireJob(jobId);
    const ref = (i: ItemRow) => ({ tenantId: i.tenant_id, path: i.path, reason: i.error ?? '' });
    return {
      ...this.summaryOf(job),
      failures: this.deps.repo.items(jobId, 'failed').map((i) => ({ tenantId: i.tenant_id, path: i.path, code: i.error_code ?? 'INTERNAL', reason: i.error ?? '' })),
      skippedItems: this.deps.repo.skippedItems(jobId, false).map(ref),
      changedItems: this.deps.repo.skippedItems(jobId, true).map(ref),
    };
  }

  summary(jobId: string): JobSummary {
    return this.summaryOf(this.requireJob(jobId));
  }

  /** The secrets a job rotated (with their new versions) and its recorded selection, for reports built on a job (incident response). */
  jobDetail(jobId: string): { summary: JobSummary; selection: Record<string, unknown>; done: Array<{ path: string; version: number | null }> } {
    const job = this.requireJob(jobId);
    let selection: Record<string, unknown> = {};
    try {
      selection = JSON.parse(job.selection_json) as Record<string, unknown>;
    } catch {
      // An unreadable selection shows as empty; the items below are the record.
    }
    return { summary: this.summaryOf(job), selection, done: this.deps.repo.items(jobId, 'done', 1_000_000).map((i) => ({ path: i.path, version: i.new_version })) };
  }

  private requireJob(jobId: string): JobRow {
    const job = this.deps.repo.job(jobId);
    if (!job) throw new AppError('NOT_FOUND', `No rotation job ${jobId.slice(0, 64)}.`);
    return job;
  }

  /** The job belongs to the active connection and mount. */
  private isHere(job: JobRow): boolean {
    const cluster = parseSelection(job).cluster;
    return job.mount === this.deps.mount() && (cluster === null || !this.deps.cluster || cluster === this.deps.cluster());
  }

  private summaryOf(job: JobRow): JobSummary {
    const r = this.running.get(job.id);
    this.flushJournal(job.id, r);
    const c = this.deps.repo.counts(job.id);
    const remaining = c.pending + c.running;
    const elapsed = r ? (this.now() - r.startedAt) / 1000 : 0;
    const rate = r && elapsed > 0 ? r.finishedThisRun / elapsed : 0;
    const cluster = parseSelection(job).cluster;
    return {
      id: job.id,
      label: job.label,
      status: job.status,
      pauseReason: job.pause_reason,
      total: job.total,
      done: c.done,
      failed: c.failed,
      skipped: c.skipped - c.changed,
      changed: c.changed,
      remaining,
      rate: Math.round(rate * 10) / 10,
      etaSeconds: r && rate > 0 ? Math.round(remaining / rate) : null,
      createdAt: job.created_at,
      finishedAt: job.finished_at,
      actor: job.actor,
      reason: job.reason,
      mine: samePerson(job.actor, this.deps.actor()),
      vaultAddress: cluster ? cluster.split('|')[0]! : null,
      mount: job.mount,
      here: this.isHere(job),
      incidentId: job.incident_id ?? null,
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
    this.deps.log.error(`job ${jobId}: progress could not be written to the local database`, err);
    r.stop ??= { status: 'paused', reason: 'The local database could not record progress; resume when it can (nothing is rotated twice).' };
  }

  private emit(jobId: string): void {
    try {
      this.deps.events?.emit('rotation:job-progress', this.summary(jobId));
    } catch (err) {
      this.deps.log.warn(`job ${jobId}: progress event failed (${err instanceof Error ? err.message : 'error'})`);
    }
  }

  // ---- running -------------------------------------------------------------------------------

  /** checked: permissions were just checked for every item (start); otherwise the run checks first. */
  private launch(jobId: string, checked: boolean): void {
    this.stopSealWatch(jobId);
    const run: Running = { abort: new AbortController(), stop: null, startedAt: this.now(), finishedThisRun: 0, promise: Promise.resolve(), journal: null };
    this.running.set(jobId, run);
    this.deps.repo.setStatus(jobId, 'running', null);
    run.promise = this.runJob(jobId, run, checked)
      .catch((err: unknown) => {
        // Something outside one item failed (e.g. the session ended): keep the job resumable.
        const code = err instanceof AppError ? err.code : 'INTERNAL';
        const why =
          code === 'VAULT_SEALED' ? SEALED_REASON
          : code === 'VAULT_UNREACHABLE' ? `${UNREACHABLE_REASON} (${code}); the job resumes by itself when it is back.`
          : code === 'UNAUTHENTICATED' ? SIGNED_OUT_REASON
          : err instanceof AppError ? err.message
          : 'internal error';
        this.deps.log.error(`job ${jobId} stopped: ${why}`, err instanceof AppError ? undefined : err);
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

  private async runJob(jobId: string, run: Running, checked: boolean): Promise<void> {
    const job = this.requireJob(jobId);
    const sel = parseSelection(job);
    const io = this.deps.io(job.mount);
    const items = this.deps.repo.openItems(jobId);
    if (!checked && items.length > 0) {
      // A resumed run asks Vault first: the policy may have changed since the job started.
      const perms = await checkJobPermissions(io.client, job.mount, items.map((i) => i.path), job.kind === 'reschedule' ? 'reschedule' : 'rotate');
      if (perms.denied.size > 0) {
        const first = [...perms.denied.values()][0]!;
        this.deps.repo.setStatus(jobId, 'paused', `Your policies do not allow ${perms.denied.size} of the ${items.length} remaining secret(s) (${first}) Nothing was written; resume after the policy is fixed, or cancel.`);
        this.deps.log.warn(`job ${jobId} paused before any write: ${perms.denied.size} item(s) not allowed`);
        return;
      }
    }
    const schedules = (await loadSchedules(io, (m) => this.deps.log.warn(m))).schedules;
    const rot = this.deps.rotator(io, schedules);
    const minSample = this.deps.minSample ?? 10;
    const journal = new JobJournal(this.deps.repo, jobId, this.deps.clock, this.deps.journalEveryMs ?? 100, (err) => this.journalFailed(jobId, run, err));
    run.journal = journal;
    // Reschedule jobs change metadata only, and they stamp like the others (the index shows next_rotation).
    const stamps = new JobStamps(io.client, io.mount, this.deps.clock, 200, Math.max(4, Math.min(16, job.concurrency)), items.map((i) => i.tenant_id));
    const ctx: ItemContext = { job, sel, io, rot, schedules, fast: { on: true }, now: () => this.now() };
    let next = 0;
    let lastEmit = 0;
    let vaultAway = false;
    // This run's outcomes, for the failure-rate rule without reading SQLite per item.
    const before = this.deps.repo.counts(jobId);
    let done = before.done;
    let failed = before.failed;

    const worker = async () => {
      while (next < items.length && !run.stop) {
        const item = items[next++]!;
        try {
          const r: ItemOutcome = job.kind === 'reschedule' ? await processRescheduleItem(io, item, schedules) : await processRotationItem(ctx, item);
          journal.record({ seq: item.seq, state: r.state, at: new Date(this.now()).toISOString(), newVersion: r.version ?? null, code: r.code ?? null, error: r.reason ?? null });
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
          if (!(err instanceof AppError)) this.deps.log.error(`job ${jobId} item ${item.seq} failed`, err);
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
    if (stamps.failed > 0) this.deps.log.warn(`job ${jobId}: ${stamps.failed} tenant change stamp(s) not written; the next full inventory sync picks them up`);
    const finishedAt = new Date(this.now()).toISOString();
    if (run.stop?.status === 'cancelled') {
      this.deps.repo.setStatus(jobId, 'cancelled', null, finishedAt);
      this.deps.log.info(`job ${jobId} cancelled`);
    } else if (run.stop?.status === 'interrupted') {
      // The console is closing: the job resumes by itself at the next start (resumeInterrupted).
      this.deps.repo.setStatus(jobId, 'interrupted', run.stop.reason);
      this.deps.log.warn(`job ${jobId} interrupted: ${run.stop.reason}`);
    } else if (run.stop) {
      this.deps.repo.setStatus(jobId, 'paused', run.stop.reason);
      this.deps.log.warn(`job ${jobId} paused: ${run.stop.reason}`);
      // Sealed or unreachable: watch Vault and go on by itself when it is back and unsealed.
      if (vaultAway) this.watchUnseal(jobId);
    } else {
      const c = this.deps.repo.counts(jobId);
      this.deps.repo.setStatus(jobId, 'completed', null, finishedAt);
      this.deps.log.info(`job ${jobId} completed: ${c.done} done, ${c.failed} failed, ${c.skipped - c.changed} skipped, ${c.changed} changed since preview`);
    }
  }

  private watchUnseal(jobId: string): void {
    const tick = async () => {
      this.sealWatch.delete(jobId);
      const job = this.deps.repo.job(jobId);
      if (!job || !stoppedByItself(job) || job.status !== 'paused' || this.running.has(jobId)) return;
      let sealed = true;
      try {
        sealed = await this.deps.io(job.mount).sealed();
      } catch {
        sealed = true;
      }
      if (!sealed) {
        this.deps.log.info(`job ${jobId}: Vault is unsealed again; resuming`);
        this.launch(jobId, false);
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
    for (const id of [...this.sealWatch.keys()]) this.stopSealWatch(id);
    const runs = [...this.running.entries()];
    for (const [, r] of runs) {
      r.stop ??= { status: 'interrupted', reason: CLOSED_REASON };
    }
    await Promise.all(runs.map(([, r]) => r.promise));
  }
}
