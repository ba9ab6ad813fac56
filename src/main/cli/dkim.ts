// `vault-console dkim`: the DKIM DNS check from a terminal or cron.
//   dkim check <tenant> [-domain=D] [-resolvers=IP[:PORT],…]   ask every resolver now (recorded in Vault)
//   dkim status <tenant>                                       what was last recorded (metadata only)
//   dkim retire-anyway <tenant> <domain> -reason=TEXT           retire although DNS has not confirmed
//   dkim records -job=ID [-csv]                                 a bulk job's records: zone fragment (or CSV)
//   dkim recheck                                               one scheduled re-check pass (cron / watch)
// Resolvers: -resolvers, else VAULT_CONSOLE_DNS_RESOLVERS, else the app profile for this
// VAULT_ADDR in the data dir, else the system's. Exit 0 when every new selector is
// published, 2 when one is not (or waits for DNS), 1 on error.
import { join } from 'node:path';
import type { DkimKeyDns, TenantDkimDns } from '../../shared/contracts/dkim-dns';
import { waitingText } from '../../shared/dkim/dns-rules';
import { AppError } from '../../shared/errors';
import { AuditRecorder } from '../services/audit/audit-recorder';
import { DATABASE_FILE } from '../services/container';
import { DkimDnsService } from '../services/dkim-dns/dkim-dns-service';
import { effectiveResolvers, parseResolverList } from '../services/dkim-dns/resolvers';
import { AuditRepo } from '../services/storage/audit-repo';
import { openDatabase } from '../services/storage/database';
import { DkimDnsRepo } from '../services/storage/dkim-dns-repo';
import { systemClock } from '../services/time/clock';
import { COMMON_FLAGS, type FlagValues } from './args';
import { connectionFor, openSignedInCli } from './cli-session';
import type { Command } from './command';
import { EXIT, printJson, type CliIo } from './io';
import { dataDirOf, ROTATE_COMMON_FLAGS } from './rotate-common';

const SUBS = ['check', 'status', 'retire-anyway', 'records', 'recheck'] as const;

interface Opened {
  service: DkimDnsService;
  close(): void;
}

async function open(io: CliIo, flags: FlagValues): Promise<Opened> {
  const conn = connectionFor(io, flags);
  const mount = (typeof flags.mount === 'string' && flags.mount !== '' ? flags.mount : conn.kvMount).replace(/^\/+|\/+$/g, '');
  // Parsed before anything connects: a bad list is a clear error that changes nothing.
  const fromFlag = typeof flags.resolvers === 'string' ? parseResolverList(flags.resolvers).map((r) => r.label) : null;
  const { cli, client, actor } = await openSignedInCli(io, conn);
  const db = openDatabase(join(dataDirOf(io, flags), DATABASE_FILE));
  const repo = new DkimDnsRepo(db);
  const profileId = repo.profileIdByAddress(conn.address);
  const profileList = fromFlag ?? (profileId ? repo.resolvers(profileId) : null);
  const service = new DkimDnsService({
    client: () => client,
    mount: () => mount,
    actor: () => `${actor} (cli)`,
    clock: systemClock,
    resolvers: () => (fromFlag ? { source: 'profile', resolvers: parseResolverList(fromFlag) } : effectiveResolvers(profileList, io.env.VAULT_CONSOLE_DNS_RESOLVERS)),
    audit: new AuditRecorder(new AuditRepo(db), systemClock, () => ({ user: `${actor} (cli)` })),
    jobItems: (jobId) => repo.jobDkimItems(jobId),
    logger: { info: () => undefined, warn: (m) => io.stderr.write(`[dkim] ${m}\n`), error: (m) => io.stderr.write(`[dkim] ${m}\n`), debug: () => undefined },
  });
  return {
    service,
    close() {
      cli.dispose();
      db.close();
    },
  };
}

function keyLines(k: DkimKeyDns, now: number): string[] {
  const out: string[] = [];
  const sel = (label: string, s: { name: string; state: string; resolvers: Array<{ resolver: string; state: string; detail: string }> } | null) => {
    if (!s) return;
    out.push(`  ${label} ${s.name}: ${s.state.toUpperCase()}`);
    for (const r of s.resolvers) out.push(`    ${r.resolver.padEnd(24)} ${r.state.padEnd(10)} ${r.detail}`);
  };
  out.push(`${k.domain}${k.problem ? ` (${k.problem})` : ''}`);
  sel('new     ', k.current);
  sel('previous', k.previous);
  if (k.previous) out.push(`  grace until ${k.previous.graceUntil ?? '-'}; hold ${k.holdHours} h after first seen (${k.firstSeen ?? 'not seen yet'})`);
  if (k.waiting) out.push(`  WAITING FOR DNS: ${waitingText(k.waiting, now)}. ${k.waiting.reason}`);
  if (k.override) out.push(`  retired anyway by ${k.override.by} at ${k.override.at}: ${k.override.reason}`);
  return out;
}

function printTenant(io: CliIo, r: TenantDkimDns): void {
  io.stdout.write(`Tenant ${r.tenantId}: resolvers (${r.resolvers.source}) ${r.resolvers.list.join(', ') || 'none'}${r.checkedNow ? '' : ' — as last recorded in Vault'}\n`);
  if (r.keys.length === 0) io.stdout.write('No DKIM keys.\n');
  for (const k of r.keys) io.stdout.write(`${keyLines(k, Date.now()).join('\n')}\n`);
}

function exitOf(r: TenantDkimDns): number {
  return r.keys.every((k) => k.current?.state === 'published' && !k.waiting) ? EXIT.ok : 2;
}

export const dkimCommand: Command = {
  name: 'dkim',
  summary: 'DKIM DNS: check each key on every resolver, what Vault recorded, retire anyway, a bulk job\'s records, a re-check pass.',
  usage:
    'vault-console dkim check <tenant> [-domain=D] [-resolvers=IP[:PORT],…] | dkim status <tenant> | dkim retire-anyway <tenant> <domain> -reason=TEXT | dkim records -job=ID [-csv] | dkim recheck  [-mount=M] [-data-dir=DIR] [-format=table|json]',
  flags: {
    ...COMMON_FLAGS,
    ...ROTATE_COMMON_FLAGS,
    domain: { type: 'string', description: 'check: only this domain.' },
    resolvers: { type: 'string', description: 'Resolvers to ask (comma-separated IP[:PORT]); default VAULT_CONSOLE_DNS_RESOLVERS, the app profile\'s, or the system\'s.' },
    reason: { type: 'string', description: 'retire-anyway: why (required, recorded).' },
    job: { type: 'string', description: 'records: the rotation job id.' },
    csv: { type: 'bool', description: 'records: CSV instead of a zone-file fragment.' },
  },
  async run({ flags, positionals }, io) {
    const [sub, ...args] = positionals;
    if (!(SUBS as readonly string[]).includes(sub ?? '')) throw new AppError('BAD_INPUT', `dkim: expected ${SUBS.join(', ')} (see "vault-console help dkim")`);
    const json = flags.format === 'json';
    if ((sub === 'check' || sub === 'status') && args.length !== 1) throw new AppError('BAD_INPUT', `dkim ${sub}: expected <tenant>`);
    if (sub === 'retire-anyway' && args.length !== 2) throw new AppError('BAD_INPUT', 'dkim retire-anyway: expected <tenant> <domain>');
    if (sub === 'retire-anyway' && typeof flags.reason !== 'string') throw new AppError('BAD_INPUT', 'dkim retire-anyway: -reason is required');
    if (sub === 'records' && typeof flags.job !== 'string') throw new AppError('BAD_INPUT', 'dkim records: -job is required');
    const o = await open(io, flags);
    try {
      switch (sub) {
        case 'check':
        case 'status': {
          const r = sub === 'check' ? await o.service.check(args[0]!, typeof flags.domain === 'string' ? flags.domain : undefined) : await o.service.status(args[0]!);
          if (json) printJson(io, r);
          else printTenant(io, r);
          return exitOf(r);
        }
        case 'retire-anyway': {
          const r = await o.service.retireAnyway(args[0]!, args[1]!, String(flags.reason));
          if (json) printJson(io, r);
          else io.stdout.write(`Previous selector ${r.selector ?? '-'} of ${args[1]} retired (DNS not confirmed); recorded as ${r.requestId}.\n`);
          return EXIT.ok;
        }
        case 'records': {
          const r = await o.service.jobRecords(String(flags.job));
          if (json) printJson(io, r);
          else io.stdout.write(flags.csv === true ? r.csv : r.zone);
          for (const s of r.skipped) io.stderr.write(`[dkim] SKIPPED ${s.path}: ${s.reason}\n`);
          return EXIT.ok;
        }
        default: {
          const r = await o.service.recheck();
          if (json) printJson(io, r);
          else io.stdout.write(`Checked ${r.checked} of ${r.candidates} DKIM key(s) in grace: ${r.published} published, ${r.waiting} waiting for DNS, ${r.failed.length} failed.\n`);
          for (const f of r.failed) io.stderr.write(`[dkim] FAILED ${f.path}: ${f.code}\n`);
          return r.failed.length > 0 ? EXIT.error : EXIT.ok;
        }
      }
    } finally {
      o.close();
    }
  },
};
