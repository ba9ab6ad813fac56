// `vault-console rotate`: one secret (`rotate <tenant> <target> -reason=…`), or a bulk
// job (`rotate -all=ssh|smtp -yes`, `rotate -overdue [-type=…] -yes`), or resume an
// unfinished job (`rotate -resume [job-id]`). Progress on stderr, summary on stdout,
// exit 1 when anything failed. Ctrl-C pauses a job; `rotate -resume` continues it.
import type { BulkSelection, JobReport, JobSummary } from '../../shared/contracts/rotation';
import { AppError } from '../../shared/errors';
import { ROTATABLE_TYPES, type RotatableType } from '../../shared/rotation/rules';
import type { RotationService } from '../services/rotation/rotation-service';
import { COMMON_FLAGS } from './args';
import type { Command } from './command';
import { EXIT, printJson, printKeyValue, type CliIo } from './io';
import { openCliRotation, resultRows, ROTATE_COMMON_FLAGS } from './rotate-common';

export const rotateCommand: Command = {
  name: 'rotate',
  summary: 'Rotate one secret now, every SSH key or SMTP credential, or every overdue secret (bulk jobs resume after a crash).',
  usage:
    'vault-console rotate <tenant> <ssh-admin|ssh-tenant|smtp|dkim:<domain>|api:<keyId>> -reason=TEXT | rotate -all=ssh|smtp -yes [-reason=TEXT] | rotate -overdue [-type=ssh,smtp,dkim,api] -yes [-reason=TEXT] | rotate -resume [job-id]  [-concurrency=C] [-mount=M] [-data-dir=DIR] [-format=table|json]',
  flags: {
    ...COMMON_FLAGS,
    ...ROTATE_COMMON_FLAGS,
    reason: { type: 'string', description: 'Why (required for one secret; bulk jobs default to the job label).' },
    all: { type: 'string', choices: ['ssh', 'smtp'], description: 'Bulk: rotate every SSH key or every SMTP credential.' },
    overdue: { type: 'bool', description: 'Bulk: rotate every overdue or expired secret.' },
    type: { type: 'string', description: 'With -overdue: comma-separated types (ssh,smtp,dkim,api; default all).' },
    yes: { type: 'bool', description: 'Bulk: confirm (without it the preview is printed and nothing changes).' },
    resume: { type: 'bool', description: 'Resume a paused or interrupted job (the newest one unless a job id is given).' },
    concurrency: { type: 'int', min: 1, max: 64, description: 'Bulk: rotations in flight (default 16).' },
    'expected-version': { type: 'int', min: 1, max: 1_000_000_000, description: 'One secret: fail with CONFLICT unless this is the current version.' },
  },
  async run({ flags, positionals }, io) {
    const modes = [flags.all !== undefined, flags.overdue === true, flags.resume === true, positionals.length > 0 && flags.resume !== true].filter(Boolean).length;
    if (modes !== 1) throw new AppError('BAD_INPUT', 'rotate: give either <tenant> <target>, -all=ssh|smtp, -overdue or -resume (see "vault-console help rotate")');
    const concurrency = typeof flags.concurrency === 'number' ? flags.concurrency : undefined;
    const rot = await openCliRotation(io, flags, { concurrency });
    try {
      if (flags.resume === true) return await resume(rot.service, io, flags.format === 'json', positionals[0]);
      if (flags.all !== undefined || flags.overdue === true) {
        if (positionals.length > 0) throw new AppError('BAD_INPUT', 'rotate: bulk rotation takes no tenant or target');
        const selection: BulkSelection = flags.all !== undefined ? { mode: 'all', type: flags.all as 'ssh' | 'smtp' } : { mode: 'overdue', ...(flags.type ? { types: parseTypes(String(flags.type)) } : {}) };
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

async function bulk(service: RotationService, io: CliIo, selection: BulkSelection, yes: boolean, reason: string | undefined, concurrency: number | undefined, json: boolean): Promise<number> {
  const p = await service.preview(selection);
  io.stderr.write(`[rotate] ${p.label}: ${p.total} secret(s) in ${p.tenants} tenant(s) (ssh ${p.byType.ssh}, smtp ${p.byType.smtp}, dkim ${p.byType.dkim}, api ${p.byType.api}; from the ${p.source === 'index' ? 'local index' : 'Vault'})\n`);
  if (p.total === 0) {
    if (json) printJson(io, { preview: p, job: null });
    else io.stdout.write('Nothing to rotate.\n');
    return EXIT.ok;
  }
  if (!yes) {
    if (json) printJson(io, { preview: p, job: null });
    else io.stdout.write(`Preview only: re-run with -yes to rotate these ${p.total} secret(s).\n`);
    return EXIT.error;
  }
  // -yes is the CLI's typed confirmation.
  const job = service.start(p.previewId, p.confirmPhrase, reason && reason.trim() !== '' ? reason : p.label, concurrency);
  io.stderr.write(`[rotate] job ${job.id} started\n`);
  return follow(service, io, job.id, json);
}

async function resume(service: RotationService, io: CliIo, json: boolean, jobId?: string): Promise<number> {
  const id = jobId ?? service.jobs().find((j) => j.status === 'interrupted' || j.status === 'paused')?.id;
  if (!id) throw new AppError('NOT_FOUND', 'rotate -resume: no paused or interrupted job');
  const s = service.resume(id);
  io.stderr.write(`[rotate] job ${id} resumed: ${s.remaining} of ${s.total} left\n`);
  return follow(service, io, id, json);
}

async function follow(service: RotationService, io: CliIo, jobId: string, json: boolean): Promise<number> {
  const print = (s: JobSummary) => io.stderr.write(`[rotate] ${s.done + s.failed + s.skipped}/${s.total} done=${s.done} failed=${s.failed} skipped=${s.skipped} remaining=${s.remaining} rate=${s.rate}/s eta=${s.etaSeconds ?? '-'}s\n`);
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
  if (json) printJson(io, report);
  else printReport(io, report);
  return report.status === 'completed' && report.failed === 0 ? EXIT.ok : EXIT.error;
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
    ['Remaining', String(r.remaining)],
    ['By', r.actor],
    ['Reason', r.reason],
  ]);
  for (const f of r.failures) io.stdout.write(`FAILED  ${f.path}  [${f.code}] ${f.reason}\n`);
  for (const k of r.skippedItems) io.stdout.write(`SKIPPED ${k.path}  ${k.reason}\n`);
}
