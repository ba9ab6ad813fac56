// `vault-console tenants sync|search|show`: the inventory from a terminal. The index is
// the same SQLite file as the app's when -data-dir (or VAULT_CONSOLE_DATA_DIR) points at it.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { TenantSearchInputSchema, type TenantDetails, type TenantSearchInput } from '../../shared/contracts/inventory';
import { AppError } from '../../shared/errors';
import { HEALTH_LABEL } from '../../shared/inventory/rotation-status';
import { DATABASE_FILE } from '../services/container';
import { InventoryService } from '../services/inventory/inventory-service';
import { openDatabase } from '../services/storage/database';
import { InventoryRepo } from '../services/storage/inventory-repo';
import { systemClock } from '../services/time/clock';
import { COMMON_FLAGS, type FlagValues } from './args';
import type { Command } from './command';
import { connectionFor } from './cli-session';
import { clientFromEnv } from './connect';
import { EXIT, logLine, printJson, printKeyValue, progress, type CliIo } from './io';

const DUE = { '7d': '7d', '30d': '30d', overdue: 'overdue' } as const;

function dataDir(io: CliIo, flags: FlagValues): string {
  if (typeof flags['data-dir'] === 'string' && flags['data-dir'] !== '') return flags['data-dir'];
  if (io.env.VAULT_CONSOLE_DATA_DIR) return io.env.VAULT_CONSOLE_DATA_DIR;
  return join(io.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'vault-console');
}

function health(h: string): string {
  return h in HEALTH_LABEL ? HEALTH_LABEL[h as keyof typeof HEALTH_LABEL] : h === 'none' ? '-' : h;
}

function table(io: CliIo, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => [...(r[i] ?? '')].length)));
  const line = (cells: string[]) => cells.map((c, i) => c + ' '.repeat(Math.max(0, widths[i]! - [...c].length))).join('  ').trimEnd();
  io.stdout.write(`${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const r of rows) io.stdout.write(`${line(r)}\n`);
}

export const tenantsCommand: Command = {
  name: 'tenants',
  summary: 'Tenant secrets inventory: sync the local index, search it, show a tenant.',
  usage:
    'vault-console tenants sync [-full] [-concurrency=C] | tenants search [query] [-type=ssh|smtp|api|dkim] [-status=active|expired|revoked] [-due=7d|30d|overdue] [-sort=COL] [-desc] [-limit=N] | tenants show <id>  [-format=table|json] [-data-dir=DIR]',
  flags: {
    ...COMMON_FLAGS,
    full: { type: 'bool', description: 'sync: rescan every tenant instead of only the changed ones.' },
    concurrency: { type: 'int', min: 1, max: 256, description: 'sync: requests in flight (default 16).' },
    type: { type: 'string', choices: ['all', 'ssh', 'smtp', 'api', 'dkim'], description: 'search: secret type.' },
    status: { type: 'string', choices: ['active', 'expired', 'revoked'], description: 'search: secret status.' },
    due: { type: 'string', choices: Object.keys(DUE), description: 'search: rotation due within 7d, 30d, or overdue.' },
    sort: { type: 'string', choices: ['tenantId', 'name', 'vpsIp', 'ssh', 'smtp', 'apiCount', 'dkimCount', 'lastRotation', 'actions'], description: 'search: sort column.' },
    desc: { type: 'bool', description: 'search: sort descending.' },
    limit: { type: 'int', min: 1, max: 1000, description: 'search: rows to print (default 50).' },
    'data-dir': { type: 'string', description: 'Folder of the local index (default VAULT_CONSOLE_DATA_DIR or ~/.local/share/vault-console).' },
  },
  async run({ flags, positionals }, io) {
    const [sub, ...args] = positionals;
    if (sub !== 'sync' && sub !== 'search' && sub !== 'show') throw new AppError('BAD_INPUT', 'tenants: expected sync, search or show (see "vault-console help tenants")');
    const mount = connectionFor(io, flags).kvMount;
    const needsVault = sub === 'sync';
    const client = needsVault ? await clientFromEnv(io, flags, { needToken: true }) : null;
    const db = openDatabase(join(dataDir(io, flags), DATABASE_FILE));
    const service = new InventoryService({
      repo: new InventoryRepo(db),
      clock: systemClock,
      client: () => {
        if (!client) throw new AppError('INTERNAL', 'no Vault client');
        return client;
      },
      mount: () => mount,
      concurrency: typeof flags.concurrency === 'number' ? flags.concurrency : undefined,
      logger: { info: () => undefined, warn: (m) => logLine(io, `[inventory] ${m}`), error: (m) => logLine(io, `[inventory] ${m}`), debug: () => undefined },
    });
    const stop = new AbortController();
    const onSigint = () => stop.abort();
    process.once('SIGINT', onSigint);
    try {
      if (sub === 'sync') {
        if (args.length > 0) throw new AppError('BAD_INPUT', 'tenants sync: takes no arguments');
        let lastPct = -1;
        const r = await service.sync({
          mode: flags.full === true ? 'full' : 'incremental',
          signal: stop.signal,
          onProgress: (p) => {
            const pct = p.total > 0 ? Math.floor((p.done * 100) / p.total) : 0;
            if (pct !== lastPct && (pct % 10 === 0 || p.phase === 'done')) {
              lastPct = pct;
              progress(io, `[tenants] ${p.phase} ${p.done}/${p.total} (${pct}%), ${p.scanned} scanned, ${p.unchanged} unchanged`);
            }
          },
        });
        if (flags.format === 'json') printJson(io, { ...r, durationMs: Math.round(r.durationMs) });
        else
          printKeyValue(io, [
            ['Mode', r.mode],
            ['Outcome', r.outcome],
            ['Tenants', String(r.total)],
            ['Scanned', String(r.scanned)],
            ['Unchanged', String(r.unchanged)],
            ['Added', String(r.added)],
            ['Removed', String(r.removed)],
            ['Secrets with problems', String(r.problems)],
            ['Requests', String(r.requests)],
            ['Strategy', r.strategy],
            ['Duration', `${(r.durationMs / 1000).toFixed(1)}s`],
          ]);
        return r.outcome === 'done' ? EXIT.ok : EXIT.error;
      }
      if (sub === 'search') {
        if (args.length > 1) throw new AppError('BAD_INPUT', 'tenants search: give at most one query (quote it if it has spaces)');
        const input: TenantSearchInput = {
          query: args[0] ?? '',
          type: (flags.type as TenantSearchInput['type']) ?? 'all',
          ...(flags.status ? { status: flags.status as 'active' } : {}),
          ...(flags.due ? { due: flags.due as '7d' } : {}),
          sort: (flags.sort as TenantSearchInput['sort']) ?? 'tenantId',
          dir: flags.desc === true ? 'desc' : 'asc',
          limit: typeof flags.limit === 'number' ? flags.limit : 50,
        };
        const parsed = TenantSearchInputSchema.safeParse(input);
        if (!parsed.success) throw new AppError('BAD_INPUT', `tenants search: ${parsed.error.issues[0]?.message ?? 'invalid input'}`);
        const r = service.search(parsed.data);
        if (flags.format === 'json') {
          printJson(io, r);
          return EXIT.ok;
        }
        table(
          io,
          ['TENANT ID', 'NAME', 'VPS IP', 'SSH', 'SMTP', 'API', 'DKIM', 'LAST ROTATION'],
          r.rows.map((t) => [t.tenantId, t.name, t.vpsIp, health(t.ssh), health(t.smtp), String(t.apiCount), String(t.dkimCount), t.lastRotation?.slice(0, 10) ?? '-']),
        );
        io.stdout.write(`${r.total} tenant(s) match; index of ${r.index.tenants}, last sync ${r.index.lastSyncAt ?? 'never'}\n`);
        return EXIT.ok;
      }
      if (args.length !== 1) throw new AppError('BAD_INPUT', 'tenants show: give exactly one tenant id');
      const d = service.show(args[0]!);
      if (flags.format === 'json') printJson(io, d);
      else printDetails(io, d);
      return EXIT.ok;
    } finally {
      process.off('SIGINT', onSigint);
      client?.close();
      db.close();
    }
  },
};

function printDetails(io: CliIo, d: TenantDetails): void {
  const rows: Array<[string, string]> = [
    ['Tenant ID', d.tenantId],
    ['Name', d.name],
    ['VPS IP', d.vpsIp],
    ['Domains', d.domains.join(', ')],
    ['Indexed at', d.scannedAt],
  ];
  for (const [label, k] of [['SSH admin', d.sshAdmin], ['SSH tenant', d.sshTenant]] as const) {
    if (!k) rows.push([label, 'missing']);
    else rows.push([label, `${health(k.health)}${k.problem ? ` (${k.problem})` : ''}; last ${k.lastRotated ?? '-'}; next ${k.nextRotation ?? '-'}; ${k.fingerprint ?? ''}${label === 'SSH tenant' ? `; downloaded ${k.lastDownloaded ?? 'never'}` : ''}`]);
  }
  rows.push(['SMTP', d.smtp ? `${health(d.smtp.health)}; ${d.smtp.usernameMasked ?? '-'}; ${d.smtp.webmailUrl ?? '-'}; next ${d.smtp.nextRotation ?? '-'}` : 'missing']);
  for (const k of d.apiKeys) rows.push([`API ${k.keyId}`, `${health(k.health)}; ${k.permissions.join(',')}; ${k.rateLimit ?? '-'}/min; ${k.requestCount ?? 0} requests`]);
  for (const k of d.dkim) rows.push([`DKIM ${k.domain}`, `${health(k.health)}; selector ${k.selector ?? '-'}; next ${k.nextRotation ?? '-'}`]);
  for (const p of d.problems) rows.push(['Problem', `${p.path}: ${p.reason}`]);
  printKeyValue(io, rows);
}
