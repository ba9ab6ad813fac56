// `vault-console audit import|query|alerts|export|settings`: offline audit review on
// the local SQLite store (the app's, or any file given with -db). Needs no Vault.
// `settings` shows and sets the alert thresholds, the off-hours time zone and the
// approval rules with the app's own validation (validateAlertForm, then the service).
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { AUDIT_ACTIONS, AUDIT_SECRET_TYPES, type AlertSettings } from '../../shared/contracts/audit';
import { toAlertForm, validateAlertForm, type AlertSettingsForm } from '../../shared/audit/audit-rules';
import { AppError } from '../../shared/errors';
import { AuditService, COUNT_CAP } from '../services/audit/audit-service';
import { csvHeader, csvRow, toExported } from '../services/audit/export-format';
import { DATABASE_FILE } from '../services/container';
import { LocalAuditSource } from '../services/audit-source/local-source';
import type { AuditEventSource } from '../services/audit-source/audit-source';
import { createLogger } from '../services/log/logger';
import { toView } from '../services/storage/audit-repo';
import { openDatabase } from '../services/storage/database';
import { SettingsRepo } from '../services/storage/settings-repo';
import { systemClock } from '../services/time/clock';
import type { FlagSpecs, FlagValues } from './args';
import { auditFilterFromFlags } from './audit-filter-flags';
import type { Command } from './command';
import { EXIT, printJson, type CliIo } from './io';
import { cliAuditSources, runAuditForward, runAuditSource, SOURCE_FLAGS } from './audit-source';

const SUBCOMMANDS = ['import', 'query', 'alerts', 'export', 'settings', 'source', 'forward'] as const;

/** settings: each flag sets one field of the alert settings form (same rules and messages as the app). */
const SETTING_FLAGS: Record<string, keyof AlertSettingsForm> = {
  'failed-auth-threshold': 'failedAuthThreshold',
  'failed-auth-window': 'failedAuthWindowMinutes',
  'bulk-read-threshold': 'bulkReadThreshold',
  'bulk-read-window': 'bulkReadWindowSeconds',
  'wide-read-threshold': 'wideReadThreshold',
  'off-hours-start': 'offHoursStart',
  'off-hours-end': 'offHoursEnd',
  'time-zone': 'timeZone',
  'approver-policy': 'approverPolicy',
  'approval-valid-hours': 'approvalValidHours',
};

const SETTING_HELP: Record<string, string> = {
  'failed-auth-threshold': 'settings: failed sign-ins that raise the red alert (1-10,000).',
  'failed-auth-window': 'settings: their window in minutes (1-1,440).',
  'bulk-read-threshold': 'settings: more than this many tenant secret reads is a bulk (1-1,000,000).',
  'bulk-read-window': 'settings: the bulk read window in seconds (1-3,600).',
  'wide-read-threshold': 'settings: more than this many distinct secrets read in 24 h (1-1,000,000).',
  'off-hours-start': 'settings: off-hours start hour (0-23).',
  'off-hours-end': 'settings: off-hours end hour (0-24; may wrap past midnight).',
  'time-zone': 'settings: IANA time zone of the off-hours (Europe/Berlin, UTC).',
  'approver-policy': 'settings: the Vault policy an approver of a deletion must hold.',
  'approval-valid-hours': 'settings: hours an approval stays good for its delete (1-720).',
};

const FLAGS: FlagSpecs = {
  db: { type: 'string', description: 'SQLite file (default <data-dir>/vault-console.db).' },
  'data-dir': { type: 'string', description: 'Folder of the local store (default VAULT_CONSOLE_DATA_DIR or ~/.local/share/vault-console).' },
  format: { type: 'string', description: 'query/alerts/import: table, json or csv (query); export: csv, json or ndjson.', choices: ['table', 'json', 'csv', 'ndjson'] },
  out: { type: 'string', description: 'export: the file to write (its SHA-256 goes to <file>.sha256).' },
  tenant: { type: 'string', description: 'Filter: tenant id (t-000042).' },
  'secret-type': { type: 'string', description: 'Filter: secret type.', choices: AUDIT_SECRET_TYPES },
  action: { type: 'string', description: 'Filter: action.', choices: AUDIT_ACTIONS },
  user: { type: 'string', description: 'Filter: admin user.' },
  from: { type: 'string', description: 'Filter: from (ISO date or time, inclusive).' },
  to: { type: 'string', description: 'Filter: to (ISO date or time, inclusive).' },
  text: { type: 'string', description: 'Filter: free text in path, user, tenant, IP, error.' },
  limit: { type: 'int', min: 1, max: 1_000_000, description: 'query: at most this many events, newest first (default 100).' },
  ...SOURCE_FLAGS,
  // Strings, not ints: validateAlertForm gives the app's messages for every bad value.
  ...Object.fromEntries(Object.entries(SETTING_HELP).map(([k, d]) => [k, { type: 'string' as const, description: d }])),
};

function dbPath(io: CliIo, flags: FlagValues): string {
  if (typeof flags.db === 'string' && flags.db !== '') return resolve(flags.db);
  return consoleDatabasePath(io.env, typeof flags['data-dir'] === 'string' && flags['data-dir'] !== '' ? flags['data-dir'] : undefined);
}

/** The console's local store: <data-dir>/vault-console.db, data dir VAULT_CONSOLE_DATA_DIR or ~/.local/share/vault-console. */
export function consoleDatabasePath(env: NodeJS.ProcessEnv, dataDir?: string): string {
  const dir = dataDir ?? (env.VAULT_CONSOLE_DATA_DIR || join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'vault-console'));
  return join(dir, DATABASE_FILE);
}

const filterOf = auditFilterFromFlags;

function openService(io: CliIo, flags: FlagValues): { audit: AuditService; sources: ReturnType<typeof cliAuditSources>; dataDir: string; close: () => void } {
  const path = dbPath(io, flags);
  const db = openDatabase(path);
  const settings = new SettingsRepo(db);
  // eslint-disable-next-line prefer-const
  let sources: ReturnType<typeof cliAuditSources> | undefined;
  let local: LocalAuditSource | undefined;
  const audit: AuditService = new AuditService({
    // query, alerts and export read the active profile's audit source (the local store by default).
    source: (): AuditEventSource => {
      try {
        return sources!.source();
      } catch (err) {
        if (err instanceof AppError && err.code === 'NOT_FOUND') return (local ??= new LocalAuditSource(audit.repo));
        throw err;
      }
    },
    db,
    settings,
    clock: systemClock,
    log: createLogger('audit'),
    dataDir: join(path, '..'),
    // Offline review: there is no Vault session in this command.
    session: {
      info: () => ({ signedIn: false, profileId: 'cli', address: '', method: null, displayName: 'cli', username: null, entityId: null, policies: [], expiresAt: null, renewable: false, expiringSoon: false, problem: null }),
      requireClient: () => {
        throw new AppError('UNAUTHENTICATED', 'audit: this command works offline and has no Vault session');
      },
    },
    kvMount: () => io.env.VAULT_CONSOLE_KV_MOUNT || 'tenants',
  });
  sources = cliAuditSources(io, db, audit.repo);
  return { audit, sources, dataDir: join(path, '..'), close: () => db.close() };
}

function settingsRows(s: AlertSettings): string[][] {
  return [
    ['failed-auth-threshold', String(s.failedAuthThreshold)],
    ['failed-auth-window', `${s.failedAuthWindowMinutes} min`],
    ['bulk-read-threshold', String(s.bulkReadThreshold)],
    ['bulk-read-window', `${s.bulkReadWindowSeconds} s`],
    ['wide-read-threshold', `${s.wideReadThreshold} per 24 h`],
    ['off-hours-start', String(s.offHoursStart)],
    ['off-hours-end', String(s.offHoursEnd)],
    ['time-zone', s.timeZone],
    ['approver-policy', s.approverPolicy],
    ['approval-valid-hours', String(s.approvalValidHours)],
  ];
}

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows.map((r) => r.map((c, i) => c + ' '.repeat(Math.max(0, widths[i]! - [...c].length))).join('  ').trimEnd()).join('\n') + '\n';
}

export const auditCommand: Command = {
  name: 'audit',
  summary: 'Offline audit review: import, query, alerts (exit 2 on a red alert), export, alert settings; no Vault needed.',
  usage: [
    'vault-console audit import <file...> [-db=PATH] [-format=table|json]',
    'vault-console audit query [-tenant=T] [-secret-type=S] [-action=A] [-user=U] [-from=D] [-to=D] [-text=X] [-limit=N] [-format=table|json|csv]',
    'vault-console audit alerts [-from=D] [-to=D] [-user=U] [-format=table|json]',
    'vault-console audit export -format=csv|json|ndjson -out=FILE [filters]',
    'vault-console audit source show|test [-format=table|json]',
    'vault-console audit source set -kind=local|victorialogs [-url=URL] [-stream={vault_cluster="prod"}] [-auth=none|bearer|basic|header] [-auth-user=U] [-auth-header=H] [-credential-file=PATH] [-ca-file=PEM] [-timeout-ms=N]',
    'vault-console audit forward -file=PATH [-follow] [-url=URL] [-stream=…] [-cursor=PATH]',
    'vault-console audit settings [-failed-auth-threshold=N] [-failed-auth-window=MIN] [-bulk-read-threshold=N] [-bulk-read-window=SEC] [-wide-read-threshold=N] [-off-hours-start=H] [-off-hours-end=H] [-time-zone=TZ] [-approver-policy=P] [-approval-valid-hours=H] [-format=table|json]',
  ].join('\n       '),
  flags: FLAGS,
  async run({ flags, positionals }, io) {
    const [sub, ...rest] = positionals;
    if (!sub || !(SUBCOMMANDS as readonly string[]).includes(sub)) {
      throw new AppError('BAD_INPUT', `audit: expected one of ${SUBCOMMANDS.join(', ')} (see "vault-console help audit")`);
    }
    if (sub !== 'settings' && Object.keys(SETTING_FLAGS).some((f) => flags[f] !== undefined)) throw new AppError('BAD_INPUT', `audit ${sub}: the settings flags belong to "audit settings"`);
    if (sub !== 'import' && sub !== 'source' && rest.length > 0) throw new AppError('BAD_INPUT', `audit ${sub}: unexpected argument ${JSON.stringify(rest[0]!.slice(0, 40))}`);
    const { audit, sources, dataDir, close } = openService(io, flags);
    try {
      switch (sub) {
        case 'source':
          if (rest.length > 1) throw new AppError('BAD_INPUT', `audit source: unexpected argument ${JSON.stringify(rest[1]!.slice(0, 40))}`);
          return await runAuditSource(rest[0], flags, io, sources);
        case 'forward':
          return await runAuditForward(flags, io, sources, dataDir);
        case 'import': {
          if (rest.length === 0) throw new AppError('BAD_INPUT', 'audit import: name at least one file');
          const reports = await audit.importFiles(rest.map((p) => resolve(p)));
          if (flags.format === 'json') printJson(io, { reports });
          else for (const r of reports) io.stdout.write(`${r.outcome.toUpperCase().padEnd(8)} ${r.message}\n`);
          // Exit 1 when a file failed or stopped early: scripts must not miss it.
          return reports.some((r) => r.outcome === 'failed' || r.outcome === 'partial') ? EXIT.error : EXIT.ok;
        }
        case 'query': {
          const limit = (flags.limit as number | undefined) ?? 100;
          const filter = filterOf(flags);
          const events = [];
          let cursor = null;
          while (events.length < limit) {
            const page = await audit.source().page(filter, cursor, Math.min(5000, limit - events.length));
            events.push(...page.events);
            if (!page.nextCursor) break;
            cursor = page.nextCursor;
          }
          if (flags.format === 'json') printJson(io, { events: events.map(toView) });
          else if (flags.format === 'csv') {
            io.stdout.write(csvHeader());
            for (const e of events) io.stdout.write(csvRow(toExported(e)));
          } else {
            const rows = [['TIMESTAMP', 'ACTION', 'TENANT', 'USER', 'TYPE', 'IP', 'STATUS', 'PATH', 'CONSOLE HEADER']];
            for (const e of events.map(toView)) {
              rows.push([e.ts, e.action, e.tenant ?? '-', e.user || '-', e.secretType, e.ip || '-', e.status, e.path, e.consoleHeader ? `${e.headerConflict ? 'CONTRADICTS: ' : ''}${e.consoleHeader}` : '-']);
            }
            io.stdout.write(pad(rows));
            const c = await audit.source().counts(filter, COUNT_CAP);
            io.stderr.write(`${events.length} shown of ${c.total}${c.capped ? '+' : ''} matching\n`);
          }
          return EXIT.ok;
        }
        case 'alerts': {
          const r = await audit.alerts(filterOf(flags), undefined, Number.MAX_SAFE_INTEGER);
          const alerts = r.alerts;
          if (r.partialSince) io.stderr.write(`Alerts are complete from ${r.partialSince} on (each detector looked at the newest events of its kind); use -from/-to for older periods.\n`);
          if (flags.format === 'json') printJson(io, { alerts });
          else if (alerts.length === 0) io.stdout.write('No suspicious activity found.\n');
          else {
            const rows = [['SEVERITY', 'KIND', 'FROM', 'TO', 'EVENTS', 'TITLE']];
            for (const a of alerts) rows.push([a.severity.toUpperCase(), a.kind, a.from, a.to, String(a.eventCount), a.title]);
            io.stdout.write(pad(rows));
          }
          return alerts.some((a) => a.severity === 'red') ? 2 : EXIT.ok;
        }
        case 'settings': {
          const given = Object.entries(SETTING_FLAGS).filter(([flag]) => typeof flags[flag] === 'string');
          let settings = audit.alertSettings();
          if (given.length > 0) {
            const form: AlertSettingsForm = toAlertForm(settings);
            for (const [flag, field] of given) form[field] = flags[flag] as string;
            const v = validateAlertForm(form);
            if ('error' in v) throw new AppError('BAD_INPUT', `audit settings: ${v.error}`);
            settings = audit.setAlertSettings(v.settings);
            io.stderr.write('Saved. Alerts (app and CLI) now use these settings.\n');
          }
          if (flags.format === 'json') printJson(io, { settings });
          else io.stdout.write(pad([['SETTING', 'VALUE'], ...settingsRows(settings)]));
          return EXIT.ok;
        }
        case 'export': {
          const format = flags.format;
          if (format !== 'csv' && format !== 'json' && format !== 'ndjson') throw new AppError('BAD_INPUT', 'audit export: -format must be csv, json or ndjson');
          if (typeof flags.out !== 'string' || flags.out === '') throw new AppError('BAD_INPUT', 'audit export: -out=FILE is required');
          const r = await audit.exportTo(filterOf(flags), format, resolve(flags.out));
          io.stdout.write(`${r.sha256}  ${r.path}\n`);
          io.stderr.write(`${r.count} events, ${r.bytes} bytes; checksum in ${r.checksumPath}\n`);
          return EXIT.ok;
        }
      }
      return EXIT.error;
    } finally {
      await audit.dispose();
      close();
    }
  },
};
