// Incident response: what one identity (a user, an entity, a token accessor or a source
// address) read, revealed or downloaded since a time, from the active profile's audit
// source (the local store's covering index, or one LogsQL `stats` query on VictoriaLogs:
// the same table either way, merged here the same way), and one
// previewed bulk job tagged with an incident id that rotates exactly those secrets with
// emergency semantics (no grace). The job is the rotation service's (preview, start,
// progress, cancel, resume, report); the incident id goes into every rotated secret's
// new version and custom_metadata and into the audit header. API keys are never part of
// a bulk job: each is rotated on its own and its new key shown once.
import { normalizeUser, type AuditAction } from '../../../shared/contracts/audit';
import type { AccessedSecret, BlastRadius, BlastRadiusInput, IncidentPreview, IncidentReport } from '../../../shared/contracts/incident';
import type { JobSummary, NewApiKey, RotationResult } from '../../../shared/contracts/rotation';
import { SECRET_ACCESS_ACTIONS, SECRET_ACCESS_STATUSES, SECRET_VALUE_TYPES, secretAccessClass } from '../../../shared/audit/secret-access';
import { AppError } from '../../../shared/errors';
import { checkIncidentId, RuleError, targetOfPath } from '../../../shared/rotation/rules';
import { parseFilterTime } from '../storage/audit-repo';
import type { AuditEventSource } from '../audit-source/audit-source';
import type { AccessTable, AuditAccessQueries, IdentityRef } from '../storage/audit-access-queries';
import type { Logger } from '../log/logger';
import type { RotationService } from '../rotation/rotation-service';
import type { Session } from '../session/session-types';
import type { Clock } from '../time/clock';
import { isoFormatter } from '../time/iso-formatter';
import { createKvStore } from '../vault/kv';
import type { VaultClient } from '../vault/vault-client';
import { accessorValues } from './accessor-hash';
import { placeParser } from './logged-path';

export interface IncidentServiceDeps {
  /** The local store's access queries (the listing when no source is given; the bench's). */
  access: AuditAccessQueries;
  /** The active profile's audit source, where the blast radius is counted (default: the local store). */
  source?: () => Pick<AuditEventSource, 'kind' | 'label' | 'accessTable'>;
  rotation: Pick<RotationService, 'previewPaths' | 'start' | 'jobs' | 'jobDetail' | 'report' | 'rotateOne' | 'apiKeys'>;
  /** Absent or signed out: the listing comes from the audit store alone (offline CLI). */
  session?: Pick<Session, 'info' | 'requireClient'>;
  mount: () => string;
  clock: Clock;
  log: Logger;
}

interface Range {
  from: number;
  to: number;
}

/** The actions of a secret access, in the order the tables count them. */
const ACCESS_ACTIONS = SECRET_ACCESS_ACTIONS as AuditAction[];

/** How many Vault metadata reads the listing makes at once. */
const VAULT_CONCURRENCY = 16;

export class IncidentService {
  constructor(private readonly deps: IncidentServiceDeps) {}

  private client(): VaultClient | null {
    const s = this.deps.session;
    if (!s || !s.info().signedIn) return null;
    try {
      return s.requireClient();
    } catch {
      return null;
    }
  }

  private range(input: BlastRadiusInput): Range {
    const from = parseFilterTime(input.since, 'since');
    const now = this.deps.clock.now();
    const to = parseFilterTime(input.until, 'until') ?? now;
    if (from === undefined) throw new AppError('BAD_INPUT', 'A start time is required.');
    if (from > to) throw new AppError('BAD_INPUT', 'The time range ends before it starts.');
    return { from, to };
  }

  /**
   * The blast radius: every tenant secret the identity accessed in the range (counts per
   * class, first and last time), and, signed in, whether Vault holds a newer version than
   * the last access (the value changed since).
   */
  async blastRadius(input: BlastRadiusInput): Promise<BlastRadius> {
    const range = this.range(input);
    const client = this.client();
    const notes: string[] = [];
    const ref = await this.identityRef(input, client, notes);
    const source = this.deps.source?.() ?? null;
    const mount = this.deps.mount();
    const table = source ? await source.accessTable(ref, range, ACCESS_ACTIONS, SECRET_ACCESS_STATUSES) : this.deps.access.accessTable(ref, range, ACCESS_ACTIONS, SECRET_ACCESS_STATUSES);
    const { secrets, otherMounts } = listingOf(table, mount);
    if (source?.kind === 'victorialogs' && ref.kind === 'accessor') notes.push('Events forwarded to VictoriaLogs before the console shipped token accessors carry none: they do not match an accessor.');
    let vaultChecked = false;
    if (client) {
      await this.checkVault(client, mount, secrets);
      vaultChecked = true;
    } else notes.push('Signed out: whether each secret changed since is not checked (sign in to ask Vault).');
    if (otherMounts.length > 0) notes.push(`${otherMounts.length} secret path(s) in other KV mounts were read too; this console rotates its mount "${mount}" only.`);
    return {
      identity: { kind: input.identity.kind, value: input.identity.value },
      matchedValues: ref.values.length,
      since: new Date(range.from).toISOString(),
      until: new Date(range.to).toISOString(),
      mount,
      secrets,
      tenants: new Set(secrets.map((s) => s.tenantId)).size,
      otherMounts,
      vaultChecked,
      notes,
      auditSource: source?.label ?? 'local store',
    };
  }

  private async identityRef(input: BlastRadiusInput, client: VaultClient | null, notes: string[]): Promise<IdentityRef> {
    const { kind, value } = input.identity;
    // Names are stored case-folded, the way Vault compares them (issue 12): "Mallory" is mallory.
    if (kind === 'user') return { kind, values: [normalizeUser(value)] };
    if (kind !== 'accessor') return { kind, values: [value] };
    const r = await accessorValues(client, value);
    if (r.note) notes.push(r.note);
    return { kind, values: r.values };
  }

  /** The local store's listing (the bench's): its table merged by listingOf. */
  listing(ref: IdentityRef, range: Range): { secrets: AccessedSecret[]; otherMounts: BlastRadius['otherMounts'] } {
    return listingOf(this.deps.access.accessTable(ref, range, ACCESS_ACTIONS, SECRET_ACCESS_STATUSES), this.deps.mount());
  }

  /** Vault's record for each listed secret: current version, and whether it changed after the last access. */
  private async checkVault(client: VaultClient, mount: string, secrets: AccessedSecret[]): Promise<void> {
    const kv = createKvStore(client, mount);
    let next = 0;
    const worker = async () => {
      while (next < secrets.length) {
        const s = secrets[next++]!;
        const md = await kv.readMetadata(s.path);
        const current = md ? md.versions[String(md.currentVersion)] : undefined;
        if (!md || md.currentVersion === 0 || !current || current.deletionTime !== '' || current.destroyed) {
          s.gone = true;
          s.currentVersion = md?.currentVersion ?? null;
          continue;
        }
        s.gone = false;
        s.currentVersion = md.currentVersion;
        s.lastRotated = md.customMetadata.last_rotated ?? null;
        // The value the identity saw is stale once a version written after its last access is current.
        s.rotatedSince = Date.parse(current.createdTime) > Date.parse(s.last);
      }
    };
    await Promise.all(Array.from({ length: Math.min(VAULT_CONCURRENCY, Math.max(1, secrets.length)) }, worker));
  }

  /**
   * The listing again (computed here, never taken from the renderer) as a previewed job
   * tagged with the incident: every listed secret of the mount except API keys.
   */
  async preview(input: BlastRadiusInput & { incidentId: string }): Promise<IncidentPreview> {
    const incidentId = rules(() => checkIncidentId(input.incidentId));
    if (!this.client()) throw new AppError('UNAUTHENTICATED', 'Sign in to Vault to preview the rotation.');
    const radius = await this.blastRadius(input);
    const paths = radius.secrets.filter((s) => s.gone !== true).map((s) => s.path);
    const who = `${input.identity.kind} ${input.identity.value.slice(0, 80)}`;
    const p = await this.deps.rotation.previewPaths({ label: `Incident ${incidentId}: rotate what ${who} read since ${radius.since.slice(0, 16).replace('T', ' ')}`, paths, incidentId });
    const gone = radius.secrets.filter((s) => s.gone === true).map((s) => ({ path: s.path, reason: 'The secret no longer exists.', type: s.type }));
    this.deps.log.info(`incident ${incidentId}: preview of ${p.total} secret(s) read by ${input.identity.kind} (${p.excluded.length + gone.length} left out)`);
    return { ...p, excluded: [...p.excluded, ...gone].sort((a, b) => (a.path < b.path ? -1 : 1)), defaultReason: `Incident ${incidentId}: credentials read by ${who}`.slice(0, 400) };
  }

  async start(previewId: string, confirm: string, reason: string, concurrency?: number): Promise<JobSummary> {
    const job = await this.deps.rotation.start(previewId, confirm, reason, concurrency, { incident: true });
    if (!job.incidentId) throw new AppError('INTERNAL', 'That preview was not an incident job.');
    this.deps.log.info(`incident ${job.incidentId}: job ${job.id} started (${job.total} secret(s))`);
    return job;
  }

  jobs(): JobSummary[] {
    return this.deps.rotation.jobs().filter((j) => !!j.incidentId);
  }

  report(jobId: string): IncidentReport {
    const d = this.deps.rotation.jobDetail(jobId);
    if (!d.summary.incidentId) throw new AppError('NOT_FOUND', `Job ${jobId.slice(0, 64)} is not an incident job.`);
    const oneByOne = Array.isArray(d.selection.oneByOne) ? d.selection.oneByOne.filter((x): x is string => typeof x === 'string') : [];
    return { incidentId: d.summary.incidentId, job: this.deps.rotation.report(jobId), rotated: d.done, apiKeys: oneByOne };
  }

  /** One API key the identity read: rotated on its own with the incident id; the new key is handed over once. */
  async rotateApiKey(incidentId: string, path: string, reason: string): Promise<RotationResult & { newApiKey: NewApiKey | null }> {
    const id = rules(() => checkIncidentId(incidentId));
    const t = targetOfPath(path);
    if (!t || t.type !== 'api') throw new AppError('BAD_INPUT', 'Not an API key path (t-NNNNNN/api/ak_…).');
    const why = reason.trim() === '' ? `Incident ${id}: API key read by a compromised identity` : reason;
    const { apiKeyOnce, ...result } = await this.deps.rotation.rotateOne(path.split('/')[0]!, `api:${t.name}`, why, undefined, { incidentId: id });
    return { ...result, newApiKey: apiKeyOnce ? this.deps.rotation.apiKeys.hold(result.path, apiKeyOnce, result.prefix ?? '') : null };
  }
}

/**
 * An audit source's table, merged per secret of this console's mount (the same on every
 * source). Tens of thousands of secrets in the worst case: one object per secret and no
 * other per-path object that outlives the loop (the garbage collector cost more than
 * the loop itself), times kept as numbers until the end.
 */
export function listingOf(t: AccessTable, mount: string): { secrets: AccessedSecret[]; otherMounts: BlastRadius['otherMounts'] } {
  const classes = ACCESS_ACTIONS.map((a) => secretAccessClass(a));
  const na = t.actions;
  const place = placeParser(mount);
  const valueTypes = new Set<string>(SECRET_VALUE_TYPES);
  const index = new Map<string, number>();
  const secrets: AccessedSecret[] = [];
  const firstMs: number[] = [];
  const lastMs: number[] = [];
  const other = new Map<string, { path: string; count: number; last: number }>();
  for (let k = 0; k < t.paths.length; k++) {
    const path = t.paths[k]!;
    const p = place(path);
    if (!p || !valueTypes.has(p.type)) continue;
    // A value is seen on the data endpoint (a console record names the secret itself).
    if (p.endpoint !== null && p.endpoint !== 'data') continue;
    const row = k * na;
    let total = 0;
    for (let i = 0; i < na; i++) total += t.counts[row + i]!;
    const first = t.first[k]!;
    const last = t.last[k]!;
    if (p.mount !== null && p.mount !== mount) {
      const o = other.get(path) ?? { path, count: 0, last: 0 };
      o.count += total;
      o.last = Math.max(o.last, last);
      other.set(path, o);
      continue;
    }
    let j = index.get(p.rel);
    let s: AccessedSecret;
    if (j === undefined) {
      j = secrets.length;
      index.set(p.rel, j);
      // Fields in the order the listing has always had (the JSON the renderer and exports get).
      s = { path: p.rel, tenantId: p.tenantId, type: p.type as AccessedSecret['type'], reads: 0, reveals: 0, downloads: 0, consoleRecords: 0, first: '', last: '', currentVersion: null, rotatedSince: null, lastRotated: null, gone: null };
      secrets.push(s);
      firstMs.push(first);
      lastMs.push(last);
    } else {
      s = secrets[j]!;
      if (first < firstMs[j]!) firstMs[j] = first;
      if (last > lastMs[j]!) lastMs[j] = last;
    }
    // The console notes its own reveals and downloads beside Vault's entry of the same read: counted apart.
    if (p.console) s.consoleRecords += total;
    else {
      for (let i = 0; i < classes.length; i++) {
        const n = t.counts[row + i]!;
        if (classes[i] === 'read') s.reads += n;
        else if (classes[i] === 'reveal') s.reveals += n;
        else if (classes[i] === 'download') s.downloads += n;
      }
    }
  }
  const iso = isoFormatter();
  for (let j = 0; j < secrets.length; j++) {
    secrets[j]!.first = iso(firstMs[j]!);
    secrets[j]!.last = iso(lastMs[j]!);
  }
  // By path (unique here). The store hands the logged paths over sorted, so this is a few
  // sorted runs (the console's own records, then the mount's data paths): cheap merges.
  secrets.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const otherMounts = [...other.values()].sort((a, b) => (a.path < b.path ? -1 : 1)).map((o) => ({ path: o.path, count: o.count, last: new Date(o.last).toISOString() }));
  return { secrets, otherMounts };
}

function rules<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RuleError) throw new AppError('BAD_INPUT', err.message);
    throw err;
  }
}

