// `vault-console rotate`: one secret (`rotate <tenant> <target> -reason=…`), or a bulk
// job (`rotate -all=ssh|smtp -yes`, `rotate -overdue [-type=…] -yes`, `rotate
// -changed=<job-id> -yes` for what a job reported as changed since its preview), or resume
// an unfinished job (`rotate -resume [job-id]`). Progress on stderr, summary on stdout,
// exit 1 when anything failed, was changed since the preview or was not allowed. Ctrl-C
// pauses a job; `rotate -resume` continues it.
import type { BulkSelection, JobReport, JobSummary, RotationPreview } from '../../shared/contracts/rotation';
import { AppError } from '../../shared/errors';
import { ONE_BY_ONE_NOTE, ROTATABLE_TYPES, type RotatableType } from '../../shared/rotation/rules';
import type { RotationService } from '../services/rotation/rotation-service';
import { COMMON_FLAGS } from './args';
import type { Command } from './command';
import { EXIT, printJson, printKeyValue, type CliIo } from './io';
import { openCliRotation, resultRows, ROTATE_COMMON_FLAGS } from './rotate-common';

export const rotateCommand: Command = {
  name: 'rotate',
  summary: 'Rotate one secret now, every SSH key or SMTP credential, or every overdue secret (bulk jobs resume after a crash; they never rotate API keys nor anything changed since their preview).',
  usage:
    'vault-console rotate <tenant> <ssh-admin|ssh-tenant|smtp|dkim:<domain>|api:<keyId>> -reason=TEXT | rotate -all=ssh|smtp -yes [-reason=TEXT] | rotate -overdue [-type=ssh,smtp,dkim,api] -yes [-reason=TEXT] | rotate -changed=JOB-ID -yes | rotate -resume [job-id]  [-concurrency=C] [-mount=M] [-data-dir=DIR] [-format=table|json]',
  flags: {
    ...COMMON_FLAGS,
    ...ROTATE_COMMON_FLAGS,
    reason: { type: 'string', description: 'Why (required for one secret; bulk jobs default to the job label).' },
    all: { type: 'string', choices: ['ssh', 'smtp'], description: 'Bulk: rotate every SSH key or every SMTP credential.' },
    overdue: { type: 'bool', description: 'Bulk: rotate every overdue or expired secret (API keys are listed, to rotate one by one).' },
    changed: { type: 'string', description: 'Bulk: preview again and rotate what this job reported as changed since its preview.' },
    type: { type: 'string', description: 'With -overdue: comma-separated types (ssh,smtp,dkim,api; default all).' },
    yes: { type: 'bool', description: 'Bulk: confirm (without it the preview is printed and nothing changes).' },
    resume: { type: 'bool', description: 'Resume a paused or interrupted job (the newest one unless a job id is given).' },
    concurrency: { type: 'int', min: 1, max: 64, description: 'Bulk: rotations in flight (default 16).' },
    'expected-version': { type: 'int', min: 1, max: 1_000_000_000, description: 'One secret: fail with CONFLICT unless this is the current version.' },
  },
  async run({ flags, positionals }, io) {
    const modes = [flags.all !== undefined, flags.overdue === true, flags.changed !== undefined, flags.resume === true, positionals.length > 0 && flags.resume !== true].filter(Boolean).length;
    if (modes !== 1) throw new AppError('BAD_INPUT', 'rotate: give either <tenant> <target>, -all=ssh|smtp, -overdue, -changed=JOB-ID or -resume (see "vault-console help rotate")');
    const concurrency = typeof flags.concurrency === 'number' ? flags.concurrency : undefined;
    const rot = await openCliRotation(io, flags, { concurrency });
    try {
      if (flags.resume === true) return await resume(rot.service, io, flags.format === 'json', positionals[0]);
      if (flags.all !== undefined || flags.overdue === true || flags.changed !== undefined) {
        if (positionals.length > 0) throw new AppError('BAD_INPUT', 'rotate: bulk rotation takes no tenant or target');
        const selection: BulkSelection =
          flags.all !== undefined ? { mode: 'all', type: flags.all as 'ssh' | 'smtp' }
          : flags.changed !== undefined ? { mode: 'changed', jobId: jobIdOf(String(flags.changed)) }
          : { mode: 'overdue', ...(flags.type ? { types: parseTypes(String(flags.type)) } : {}) };
        return await bulk(rot.service, io, selection, flags.yes === true, typeof flags.reason === 'string' ? flags.reason : undefined, concurrency, flags.format === 'json');
      }
      if (positionals.length !== 2) throw new AppError('BAD_INPUT', 'rotate: expected <tenant> <target>');
      if (typeof flags.reason !== 'string') throw new AppError('BAD_INPUT', 'rotate: -reason is required');
      const r = await rot.service.rotateOne(positionals[0]!, positionals[1]!, flags.reason, typeof flags['expected-version'] === 'number' ? flags['expected-version'] : undefined);
      const { apiKeyOnce, ...result } = r;
      if (flags.format === 'json') printJson(io, { ...result, ...(apiKeyOnce ? { apiKey: apiKeyOnce } : {}) });
      else {
        printKeyValue(io, resultRows(result));
        // Shown once, here, to whoever hands it to the tenant; Vault keeps only its hash.
        if (apiKeyOnce) io.stdout.write(`\nNew API key (shown once, only its hash is stored):\n${apiKeyOnce}\n`);
      }
      return EXIT.ok;
    } finally {
      rot.close();
    }
  },
};

function parseTypes(text: string): RotatableType[] {
  const list = text.split(',').map((t) => t.trim()).filter(Boolean);
  for (const t of list) if (!(ROTATABLE_TYPES as readonly string[]).includes(t)) throw new AppError('BAD_INPUT', `rotate: -type must list ssh, smtp, dkim or api, got ${JSON.stringify(t.slice(0, 20))}`);
  if (list.length === 0) throw new AppError('BAD_INPUT', 'rotate: -type is empty');
  return [...new Set(list)] as RotatableType[];
}

function jobIdOf(text: string): string {
  if (!/^job-[0-9]{8}-[0-9a-f]{8}$/.test(text)) throw new AppError('BAD_INPUT', 'rotate: -changed takes a job id like job-20260301-0a1b2c3d');
  return text;
}

/** What the preview leaves out, one line each: API keys (one by one) and what this identity may not rotate. */
function printLeftOut(io: CliIo, p: RotationPreview): void {
  for (const k of p.apiKeys.items) io.stdout.write(`ONE-BY-ONE  ${k.path}  API key: ${ONE_BY_ONE_NOTE}\n`);
  if (p.apiKeys.total > p.apiKeys.items.length) io.stdout.write(`ONE-BY-ONE  … and ${p.apiKeys.total - p.apiKeys.items.length} more API key(s)\n`);
  for (const d of p.notAllowed.items) io.stdout.write(`NOT-ALLOWED ${d.path}  ${d.reason}\n`);
  if (p.notAllowed.total > p.notAllowed.items.length) io.stdout.write(`NOT-ALLOWED … and ${p.notAllowed.total - p.notAllowed.items.length} more\n`);
}

async function bulk(service: RotationService, io: CliIo, selection: BulkSelection, yes: boolean, reason: string | undefined, concurrency: number | undefined, json: boolean): Promise<number> {
  const p = await service.preview(selection);
  io.stderr.write(`[rotate] ${p.label}: ${p.total} secret(s) in ${p.tenants} tenant(s) (ssh ${p.byType.ssh}, smtp ${p.byType.smtp}, dkim ${p.byType.dkim}; from the ${p.source === 'index' ? 'local index' : 'Vault'})\n`);
  if (p.apiKeys.total > 0) io.stderr.write(`[rotate] left out: ${p.apiKeys.total} API key(s), ${ONE_BY_ONE_NOTE}: vault-console rotate <tenant> api:<keyId> -reason=…\n`);
  if (p.notAllowed.total > 0) io.stderr.write(`[rotate] left out: ${p.notAllowed.total} secret(s) your policies do not allow you to rotate\n`);
  for (const w of p.warnings) io.stderr.write(`[rotate] note: ${w}\n`);
  const leftOut = { apiKeys: p.apiKeys, notAllowed: p.notAllowed };
  // Asked for something that cannot all happen: say so in the exit code.
  const partial = p.notAllowed.total > 0 ? EXIT.error : EXIT.ok;
  if (p.total === 0 || !yes) {
    if (json) printJson(io, { preview: p, job: null });
    else {
      printLeftOut(io, p);
      io.stdout.write(p.total === 0 ? 'Nothing to rotate.\n' : `Preview only: re-run with -yes to rotate these ${p.total} secret(s).\n`);
    }
    return p.total === 0 ? partial : EXIT.error;
  }
  // -yes is the CLI's typed confirmation.
  const job = await service.start(p.previewId, p.confirmPhrase, reason && reason.trim() !== '' ? reason : p.label, concurrency);
  io.stderr.write(`[rotate] job ${job.id} started\n`);
  const code = await follow(service, io, job.id, json, json ? leftOut : undefined);
  if (!json) printLeftOut(io, p);
  return code === EXIT.ok ? partial : code;
}

async function resume(service: RotationService, io: CliIo, json: boolean, jobId?: string): Promise<number> {
  const id = jobId ?? service.jobs().find((j) => j.status === 'interrupted' || j.status === 'paused')?.id;
  if (!id) throw new AppError('NOT_FOUND', 'rotate -resume: no paused or interrupted job');
  const s = service.resume(id);
  io.stderr.write(`[rotate] job ${id} resumed: ${s.remaining} of ${s.total} left\n`);
  return follow(service, io, id, json);
}

async function follow(service: RotationService, io: CliIo, jobId: string, json: boolean, leftOut?: Pick<RotationPreview, 'apiKeys' | 'notAllowed'>): Promise<number> {
  const print = (s: JobSummary) =>
    io.stderr.write(`[rotate] ${s.done + s.failed + s.skipped + s.changed}/${s.total} done=${s.done} failed=${s.failed} skipped=${s.skipped} changed=${s.changed} remaining=${s.remaining} rate=${s.rate}/s eta=${s.etaSeconds ?? '-'}s\n`);
  const timer = setInterval(() => print(service.summary(jobId)), 1000);
  const onSigint = () => {
    io.stderr.write('[rotate] pausing after the rotations in flight; "vault-console rotate -resume" continues\n');
    try {
      service.pause(jobId);
    } catch {
      // Already stopping.
    }
  };
  process.once('SIGINT', onSigint);
  let end: JobSummary;
  try {
    end = await service.wait(jobId);
  } finally {
    clearInterval(timer);
    process.off('SIGINT', onSigint);
  }
  print(end);
  const report = service.report(jobId);
  if (json) printJson(io, leftOut ? { ...report, leftOut } : report);
  else printReport(io, report);
  // A secret changed since the preview was not rotated: the run did not do all it was asked.
  return report.status === 'completed' && report.failed === 0 && report.changed === 0 ? EXIT.ok : EXIT.error;
}

function printReport(io: CliIo, r: JobReport): void {
  printKeyValue(io, [
    ['Job', r.id],
    ['What', r.label],
    ['Status', r.status + (r.pauseReason ? ` (${r.pauseReason})` : '')],
    ['Total', String(r.total)],
    ['Rotated', String(r.done)],
    ['Failed', String(r.failed)],
    ['Skipped', String(r.skipped)],
    ['Changed since preview', String(r.changed)],
    ['Remaining', String(r.remaining)],
    ['By', r.actor],
    ['Reason', r.reason],
  ]);
  for (const f of r.failures) io.stdout.write(`FAILED  ${f.path}  [${f.code}] ${f.reason}\n`);
  for (const k of r.skippedItems) io.stdout.write(`SKIPPED ${k.path}  ${k.reason}\n`);
  for (const k of r.changedItems) io.stdout.write(`CHANGED ${k.path}  ${k.reason}\n`);
  if (r.changedItems.length > 0) io.stdout.write(`Not rotated because they changed since the preview; to rotate them now: vault-console rotate -changed=${r.id} -yes\n`);
}
