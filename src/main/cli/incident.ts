// `vault-console incident list|rotate|report`: what one identity read since a time (from
// the local audit store; with a Vault session also whether each secret changed since),
// and one incident-tagged rotation job for exactly those secrets (previewed; -yes starts
// it; progress on stderr, the report on stdout; Ctrl-C pauses, "rotate -resume" goes on).
import { join } from 'node:path';
import { BlastRadiusInputSchema, IDENTITY_KINDS, IncidentIdSchema, type BlastRadius, type BlastRadiusInput, type IncidentReport } from '../../shared/contracts/incident';
import type { JobSummary } from '../../shared/contracts/rotation';
import { AppError } from '../../shared/errors';
import { AuditService } from '../services/audit/audit-service';
import { DATABASE_FILE } from '../services/container';
import { IncidentService } from '../services/incident/incident-service';
import { createLogger } from '../services/log/logger';
import { recorderRotationAudit } from '../services/rotation/rotation-audit';
import type { RotationService } from '../services/rotation/rotation-service';
import type { SessionInfo } from '../services/session/session-types';
import { openDatabase, type SqlDatabase } from '../services/storage/database';
import { SettingsRepo } from '../services/storage/settings-repo';
import { systemClock } from '../services/time/clock';
import { COMMON_FLAGS, type FlagValues } from './args';
import { cliProfileSource } from './audit-source';
import { connectionFor, openCliSession } from './cli-session';
import type { Command } from './command';
import { EXIT, printJson, printKeyValue, type CliIo } from './io';
import { dataDirOf, openCliRotation, ROTATE_COMMON_FLAGS } from './rotate-common';

const SUBCOMMANDS = ['list', 'rotate', 'report'] as const;

function identityOf(flags: FlagValues): BlastRadiusInput['identity'] {
  const given = IDENTITY_KINDS.filter((k) => typeof flags[k] === 'string' && flags[k] !== '');
  if (given.length !== 1) throw new AppError('BAD_INPUT', 'incident: give exactly one identity: -user, -entity, -accessor or -address');
  return { kind: given[0]!, value: String(flags[given[0]!]) };
}

function inputOf(flags: FlagValues): BlastRadiusInput {
  if (typeof flags.since !== 'string' || flags.since === '') throw new AppError('BAD_INPUT', 'incident: -since=TIME is required (ISO date or time)');
  const parsed = BlastRadiusInputSchema.safeParse({ identity: identityOf(flags), since: flags.since, ...(typeof flags.until === 'string' && flags.until ? { until: flags.until } : {}) });
  if (!parsed.success) throw new AppError('BAD_INPUT', `incident: ${parsed.error.issues[0]?.message ?? 'bad input'}`);
  return parsed.data;
}

function auditService(db: SqlDatabase, dataDir: string, mount: string, user: string): AuditService {
  const info: SessionInfo = { signedIn: false, profileId: 'cli', address: '', method: null, displayName: user, username: user, entityId: null, policies: [], expiresAt: null, renewable: false, expiringSoon: false, problem: null };
  return new AuditService({
    db,
    settings: new SettingsRepo(db),
    clock: systemClock,
    log: createLogger('audit'),
    dataDir,
    session: {
      info: () => info,
      requireClient: () => {
        throw new AppError('UNAUTHENTICATED', 'incident: the audit store is read offline');
      },
    },
    kvMount: () => mount,
  });
}

function printRadius(io: CliIo, r: BlastRadius): void {
  io.stderr.write(`[incident] ${r.identity.kind} ${r.identity.value}: ${r.secrets.length} secret(s) in ${r.tenants} tenant(s) accessed ${r.since} .. ${r.until}${r.vaultChecked ? '' : ' (not checked against Vault)'}; audit source: ${r.auditSource}\n`);
  for (const n of r.notes) io.stderr.write(`[incident] ${n}\n`);
  const rows = [['PATH', 'TYPE', 'READS', 'REVEALS', 'DOWNLOADS', 'FIRST', 'LAST', 'CHANGED SINCE']];
  for (const s of r.secrets) rows.push([s.path, s.type, String(s.reads), String(s.reveals), String(s.downloads), s.first, s.last, s.gone ? 'gone' : s.rotatedSince === null ? '?' : s.rotatedSince ? 'yes' : 'NO']);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((x) => x[i]!.length)));
  io.stdout.write(rows.map((x) => x.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n');
  for (const o of r.otherMounts) io.stdout.write(`OTHER MOUNT  ${o.path}  ${o.count} read(s), last ${o.last}\n`);
}

function printReport(io: CliIo, r: IncidentReport): void {
  printKeyValue(io, [
    ['Incident', r.incidentId],
    ['Job', r.job.id],
    ['Status', r.job.status + (r.job.pauseReason ? ` (${r.job.pauseReason})` : '')],
    ['Rotated', String(r.job.done)],
    ['Failed', String(r.job.failed)],
    ['Skipped', String(r.job.skipped)],
    ['Remaining', String(r.job.remaining)],
  ]);
  for (const x of r.rotated) io.stdout.write(`ROTATED  ${x.path}  v${x.version ?? '?'}\n`);
  for (const f of r.job.failures) io.stdout.write(`FAILED   ${f.path}  [${f.code}] ${f.reason}\n`);
  for (const k of r.job.skippedItems) io.stdout.write(`SKIPPED  ${k.path}  ${k.reason}\n`);
  for (const a of r.apiKeys) io.stdout.write(`API KEY  ${a}  rotate one by one: vault-console rotate ${a.split('/')[0]} api:${a.split('/')[2]} -reason="${r.incidentId}" (the new key is shown once)\n`);
}

async function follow(service: RotationService, incident: IncidentService, io: CliIo, jobId: string, json: boolean): Promise<number> {
  const print = (s: JobSummary) => io.stderr.write(`[incident] ${s.done + s.failed + s.skipped}/${s.total} done=${s.done} failed=${s.failed} skipped=${s.skipped} remaining=${s.remaining}\n`);
  const timer = setInterval(() => print(service.summary(jobId)), 1000);
  const onSigint = () => {
    io.stderr.write('[incident] pausing after the rotations in flight; "vault-console rotate -resume" continues\n');
    try {
      service.pause(jobId);
    } catch {
      // already stopping
    }
  };
  process.once('SIGINT', onSigint);
  try {
    print(await service.wait(jobId));
  } finally {
    clearInterval(timer);
    process.off('SIGINT', onSigint);
  }
  const report = incident.report(jobId);
  if (json) printJson(io, report);
  else printReport(io, report);
  return report.job.status === 'completed' && report.job.failed === 0 ? EXIT.ok : EXIT.error;
}

export const incidentCommand: Command = {
  name: 'incident',
  summary: 'Incident response: list what an identity read since a time, and rotate exactly that (incident id, no grace).',
  usage: [
    'vault-console incident list (-user=U | -entity=ID | -accessor=A | -address=IP) -since=TIME [-until=TIME] [-format=table|json]',
    'vault-console incident rotate -incident=INC-1234 (identity) -since=TIME [-until=TIME] [-reason=TEXT] [-yes] [-concurrency=N]',
    'vault-console incident report <job-id> [-format=table|json]',
  ].join('\n       '),
  flags: {
    ...COMMON_FLAGS,
    ...ROTATE_COMMON_FLAGS,
    user: { type: 'string', description: 'Identity: a user name as Vault logs it.' },
    entity: { type: 'string', description: 'Identity: a Vault identity entity id.' },
    accessor: { type: 'string', description: "Identity: a token accessor (matched plain and as each audit device's HMAC of it)." },
    address: { type: 'string', description: 'Identity: a source IP address.' },
    since: { type: 'string', description: 'From this time (ISO date or time, inclusive).' },
    until: { type: 'string', description: 'Until this time (default now).' },
    incident: { type: 'string', description: 'rotate: the incident id (required), e.g. INC-2041.' },
    reason: { type: 'string', description: 'rotate: why (default: "Incident <id>: credentials read by …").' },
    yes: { type: 'bool', description: 'rotate: start the job (without it the preview is printed and nothing changes).' },
    concurrency: { type: 'int', min: 1, max: 64, description: 'rotate: rotations in flight (default 16).' },
  },
  async run({ flags, positionals }, io) {
    const [sub, ...rest] = positionals;
    if (!sub || !(SUBCOMMANDS as readonly string[]).includes(sub)) throw new AppError('BAD_INPUT', `incident: expected one of ${SUBCOMMANDS.join(', ')} (see "vault-console help incident")`);
    const json = flags.format === 'json';
    const dataDir = dataDirOf(io, flags);
    const conn = connectionFor(io, flags);
    const mount = (typeof flags.mount === 'string' && flags.mount !== '' ? flags.mount : conn.kvMount).replace(/^\/+|\/+$/g, '');

    if (sub === 'list') {
      if (rest.length > 0) throw new AppError('BAD_INPUT', 'incident list: unexpected argument');
      const input = inputOf(flags);
      // Offline from the audit store; with a Vault session, also whether each secret changed since.
      const cli = await openCliSession(io, conn);
      const db = openDatabase(join(dataDir, DATABASE_FILE));
      let closeSource = () => undefined as void;
      try {
        const audit = auditService(db, dataDir, mount, 'cli');
        // Counted where "audit query" reads: the active profile's audit source.
        const profile = cliProfileSource(io, db, audit.repo);
        closeSource = profile.close;
        const unused = () => {
          throw new AppError('INTERNAL', 'incident list rotates nothing');
        };
        const incident = new IncidentService({
          access: audit.repo.access,
          source: profile.source,
          rotation: { previewPaths: unused, start: unused, jobs: unused, jobDetail: unused, report: unused, rotateOne: unused, apiKeys: {} as RotationService['apiKeys'] },
          ...(cli.source ? { session: cli.session } : {}),
          mount: () => mount,
          clock: systemClock,
          log: createLogger('incident'),
        });
        const r = await incident.blastRadius(input);
        if (json) printJson(io, r);
        else printRadius(io, r);
        await audit.dispose();
        return EXIT.ok;
      } finally {
        closeSource();
        db.close();
        cli.dispose();
      }
    }

    const made: AuditService[] = [];
    const rot = await openCliRotation(io, flags, {
      ...(typeof flags.concurrency === 'number' ? { concurrency: flags.concurrency } : {}),
      audit: (db, actor) => {
        const a = auditService(db, dataDir, mount, actor);
        made.push(a);
        return recorderRotationAudit(a.recorder);
      },
    });
    let closeSource = () => undefined as void;
    try {
      const audit = made[0] ?? auditService(rot.db, dataDir, mount, rot.actor);
      // The preview lists again where "incident list" counts: the active profile's audit source.
      const profile = cliProfileSource(io, rot.db, audit.repo);
      closeSource = profile.close;
      const incident = new IncidentService({ access: audit.repo.access, source: profile.source, rotation: rot.service, session: rot.session, mount: () => rot.mount, clock: systemClock, log: createLogger('incident') });
      if (sub === 'report') {
        if (rest.length !== 1) throw new AppError('BAD_INPUT', 'incident report: expected <job-id>');
        const r = incident.report(rest[0]!);
        if (json) printJson(io, r);
        else printReport(io, r);
        return EXIT.ok;
      }
      const incidentId = IncidentIdSchema.safeParse(flags.incident ?? '');
      if (!incidentId.success) throw new AppError('BAD_INPUT', 'incident rotate: -incident=ID is required (e.g. INC-2041 or SIRT-2026-004)');
      const p = await incident.preview({ ...inputOf(flags), incidentId: incidentId.data });
      io.stderr.write(`[incident] ${p.label}: ${p.total} secret(s) in ${p.tenants} tenant(s) (ssh ${p.byType.ssh}, smtp ${p.byType.smtp}, dkim ${p.byType.dkim}); left out: ${p.excluded.length}\n`);
      for (const e of p.excluded) io.stderr.write(`[incident] left out ${e.path}: ${e.reason}\n`);
      if (p.total === 0 || flags.yes !== true) {
        if (json) printJson(io, { preview: p, job: null });
        else io.stdout.write(p.total === 0 ? 'Nothing to rotate.\n' : `Preview only: re-run with -yes to rotate these ${p.total} secret(s) with no grace period.\n`);
        return p.total === 0 ? EXIT.ok : EXIT.error;
      }
      const job = await incident.start(p.previewId, p.confirmPhrase, typeof flags.reason === 'string' && flags.reason.trim() ? flags.reason : p.defaultReason);
      io.stderr.write(`[incident] job ${job.id} started under ${job.incidentId}\n`);
      return await follow(rot.service, incident, io, job.id, json);
    } finally {
      closeSource();
      for (const a of made) await a.dispose();
      rot.close();
    }
  },
};
