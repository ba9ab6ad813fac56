// `vault-console watch`: the long-lived ops-host service (a systemd unit in the
// README): polls Vault's health, tails the audit log, reads the backup catalog and
// the rotation state, serves /metrics and pages PagerDuty. Configuration comes from
// VAULT_* / VAULT_CONSOLE_WATCH_* variables and flags; the Vault token from Vault
// Agent's sink file (or VAULT_TOKEN); the routing key from an owner-only file or
// from Vault, never from the command line.
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../shared/errors';
import { backupConfigFromEnv, type BackupConfig } from '../services/backup/backup-config';
import { connectionFromEnv } from '../services/config/app-config';
import { victoriaLogsForwarder } from '../services/audit-source/forward-setup';
import { createLogger } from '../services/log/logger';
import { AuditRepo } from '../services/storage/audit-repo';
import type { AuditSourceRow } from '../services/storage/audit-source-repo';
import { openDatabase, type SqlDatabase } from '../services/storage/database';
import { WatchRepo } from '../services/storage/watch-repo';
import { systemClock } from '../services/time/clock';
import { MetricsServer } from '../services/watch/metrics-server';
import { RoutingKeyProvider } from '../services/watch/routing-key';
import { AuditForwardWatch } from '../services/watch/audit-forward-watch';
import { appVersion } from '../services/watch/version';
import { WATCH_DATABASE_FILE, WATCH_SETTINGS, watchConfig, isLoopback, type WatchInputs, type WatchSetting } from '../services/watch/watch-config';
import { WatchSession, type TokenSource } from '../services/watch/watch-session';
import { Watcher } from '../services/watch/watcher';
import type { FlagSpecs } from './args';
import { consoleDatabasePath } from './audit';
import { cliAuditSources, lazyKeychain } from './audit-source';
import type { Command } from './command';
import { EXIT } from './io';

/** Flags that would put the routing key on the command line, where every user's `ps` sees it. */
const REFUSED = ['routing-key', 'pagerduty-routing-key', 'integration-key', 'pagerduty-key'] as const;

const DESCRIPTIONS: Record<WatchSetting, string> = {
  'poll-interval': 'How often Vault health is polled (default 15s); a page follows a seal within this plus ~2 s.',
  'metrics-address': 'Where /metrics listens (default 127.0.0.1:9469; "none" for no endpoint).',
  'events-url': 'PagerDuty Events API v2 URL (default https://events.pagerduty.com/v2/enqueue).',
  'routing-key-file': 'File holding the PagerDuty routing key; must be readable by its owner only (chmod 600).',
  'routing-key-vault': 'Read the routing key from Vault instead: "default" (<mount>-watch/pagerduty#routing_key) or <kv-v2-mount>/<path>[#field].',
  'audit-log': "Vault's file audit log to tail (default: ask sys/audit; \"none\" to skip audit paging).",
  'data-dir': 'Where the outbox and the watcher’s local stores live (default $STATE_DIRECTORY or ~/.local/state/vault-console-watch).',
  id: 'This watcher’s name in its heartbeat (default: the host name).',
  'sealed-by-console': 'A seal announced by the console’s break-glass action pages as "info" (default) or "none".',
  'heartbeat-interval': 'How often the heartbeat is written into Vault (default 60s).',
  'backup-check-interval': 'How often the backup catalog is read (default 60s).',
  'backup-max-age': 'Page when the last successful backup is older than this (default 24h).',
  'backup-grace': 'Page when the backup store stays unreadable this long (default 5m).',
  'inventory-interval': 'How often rotation state is synced from Vault metadata (default 15m).',
  'unreachable-grace': 'Page when Vault stays unreachable this long (default 60s).',
  'retry-base': 'First retry delay for an undelivered page (default 2s, doubling up to -retry-max).',
  'retry-max': 'Longest retry delay (default 5m).',
  'console-url': 'Base of the link back to the console in each page (default vault-console://open).',
  'watch-mount': 'KV v2 mount for heartbeats and break-glass announcements (default <kv-mount>-watch).',
  severity: 'Severity overrides, like "audit-bulk-reads=info,backup-stale=warning".',
  'dkim-dns-recheck': 'How often DKIM keys in grace are re-checked in DNS (default 15m; "off" to skip). Resolvers: VAULT_CONSOLE_DNS_RESOLVERS, else the system\'s. Needs the vault-console-watch-dkim policy (docs/monitoring.md).',
};

const FLAGS: FlagSpecs = {
  address: { type: 'string', description: 'Vault address; overrides VAULT_ADDR.' },
  'token-file': { type: 'string', description: "Vault token file (Vault Agent's sink), re-read when it changes; default VAULT_CONSOLE_WATCH_TOKEN_FILE, else VAULT_TOKEN." },
  'forward-victorialogs': {
    type: 'bool',
    description:
      "Also forward the audit log the watcher tails to the VictoriaLogs of the console's active profile (its audit source: URL, CA, stream, credential from the keychain; console store in VAULT_CONSOLE_DATA_DIR or ~/.local/share/vault-console): batched, retried, never twice (cursor in the data dir).",
  },
  ...Object.fromEntries((Object.keys(WATCH_SETTINGS) as WatchSetting[]).map((k) => [k, { type: 'string' as const, description: `${DESCRIPTIONS[k]} Env: ${WATCH_SETTINGS[k]}.` }])),
  ...Object.fromEntries(REFUSED.map((k) => [k, { type: 'string' as const, description: 'Refused: the routing key never goes on the command line (use -routing-key-file).' }])),
};

/** The console's active profile's audit source, read once at start; it must be VictoriaLogs. */
function forwardTarget(env: NodeJS.ProcessEnv, io: Parameters<Command['run']>[1]): AuditSourceRow {
  const path = consoleDatabasePath(env);
  let db: SqlDatabase;
  try {
    db = openDatabase(path);
  } catch {
    throw new AppError('BAD_INPUT', `watch -forward-victorialogs: cannot open the console's store ${path} (set VAULT_CONSOLE_DATA_DIR)`);
  }
  try {
    const row = cliAuditSources(io, db, new AuditRepo(db)).row();
    if (row.kind !== 'victorialogs' || !row.url) throw new AppError('BAD_INPUT', 'watch -forward-victorialogs: the active profile\'s audit source is the local store; set it first (vault-console audit source set -kind=victorialogs -url=…)');
    return row;
  } finally {
    db.close();
  }
}

function openWatchDatabase(dataDir: string): SqlDatabase {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new AppError('BAD_INPUT', `cannot create the data dir ${dataDir} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let db: SqlDatabase;
  try {
    db = openDatabase(join(dataDir, WATCH_DATABASE_FILE));
  } catch (err) {
    if (/locked|busy/i.test((err as Error).message ?? '')) throw new AppError('CONFLICT', `another watcher is running with the data dir ${dataDir}`);
    throw err instanceof AppError ? err : new AppError('INTERNAL', `cannot open the watcher's database in ${dataDir}`);
  }
  try {
    new WatchRepo(db).claimExclusive();
  } catch {
    db.close();
    throw new AppError('CONFLICT', `another watcher is running with the data dir ${dataDir}`);
  }
  return db;
}

export const watchCommand: Command = {
  name: 'watch',
  summary: 'Run the ops-host watcher: Prometheus /metrics and PagerDuty pages (long-lived; see the README systemd unit).',
  usage: 'vault-console watch [-poll-interval=15s] [-metrics-address=127.0.0.1:9469] [-routing-key-file=PATH | -routing-key-vault=default] [-audit-log=PATH] [-data-dir=DIR] ...',
  flags: FLAGS,
  async run({ flags, positionals }, io) {
    for (const k of REFUSED) {
      // Never echo the value: it is the secret.
      if (flags[k] !== undefined) throw new AppError('BAD_INPUT', `watch: the routing key is never taken from the command line (other users can read it in ps); put it in a file only you can read and pass -routing-key-file, or store it in Vault and pass -routing-key-vault`);
    }
    if (positionals.length > 0) throw new AppError('BAD_INPUT', 'watch: takes no arguments, only flags (a routing key never goes on the command line)');

    const env = { ...io.env };
    if (typeof flags.address === 'string') env.VAULT_ADDR = flags.address;
    const connection = connectionFromEnv(env);
    const inputs: WatchInputs = {};
    for (const k of Object.keys(WATCH_SETTINGS) as WatchSetting[]) if (typeof flags[k] === 'string') inputs[k] = flags[k] as string;
    const config = watchConfig(env, inputs, connection.kvMount);
    let backupConfig: BackupConfig | null = null;
    if (env.VAULT_CONSOLE_BACKUP_BUCKET) backupConfig = backupConfigFromEnv(env, connection.kvMount);

    const tokenFile = typeof flags['token-file'] === 'string' ? flags['token-file'] : env.VAULT_CONSOLE_WATCH_TOKEN_FILE;
    const envToken = env.VAULT_TOKEN?.trim();
    const tokenSource: TokenSource = tokenFile ? { kind: 'file', path: tokenFile } : envToken ? { kind: 'env', token: envToken } : { kind: 'none' };
    const session = new WatchSession(connection, tokenSource);
    await session.refresh();

    const log = createLogger('watch');
    const routingKey = new RoutingKeyProvider(config.routingKey, () => (session.hasToken() ? session.requireClient() : null));
    // A bad key file is a start error: better no watcher than one that cannot page.
    if (config.routingKey.kind === 'file') await routingKey.load();
    if (config.routingKey.kind === 'none') log.warn('no routing key configured (-routing-key-file or -routing-key-vault): conditions are queued but no page is sent');
    if (tokenSource.kind === 'none') log.warn('no Vault token (VAULT_CONSOLE_WATCH_TOKEN_FILE or VAULT_TOKEN): only seal status and reachability are watched');
    else if (session.lastProblem) log.warn(session.lastProblem);

    // Read before anything starts: a wrong setting is a start error, not a silent gap in VictoriaLogs.
    const forwardRow = flags['forward-victorialogs'] === true ? forwardTarget(env, io) : null;
    if (forwardRow && config.auditLog === 'none') throw new AppError('BAD_INPUT', 'watch: -forward-victorialogs forwards the audit log the watcher tails; -audit-log=none tails none');
    const secrets = lazyKeychain(io);
    const forward = forwardRow
      ? new AuditForwardWatch({ make: (file) => victoriaLogsForwarder({ row: forwardRow, secrets, file, dataDir: config.dataDir }), pollMs: config.auditPollMs, log: createLogger('forward') })
      : null;

    const db = openWatchDatabase(config.dataDir);
    const watcher = new Watcher({ config, connection, session, db, clock: systemClock, version: appVersion(), host: hostname(), backupConfig, routingKey, ...(forward ? { onAuditTail: (path: string) => forward.start(path) } : {}) });
    const server = new MetricsServer({ metrics: () => watcher.metrics.text(), contentType: watcher.metrics.contentType, problem: () => watcher.problem() });
    if (config.metrics) {
      try {
        const port = await server.listen(config.metrics);
        if (!isLoopback(config.metrics.host)) log.warn(`/metrics listens on ${config.metrics.host}:${port}, beyond this host: it has no authentication, so firewall it to the Prometheus servers`);
        log.info(`metrics on http://${config.metrics.host.includes(':') ? `[${config.metrics.host}]` : config.metrics.host}:${port}/metrics`);
      } catch (err) {
        await watcher.stop().catch(() => undefined);
        await forward?.stop();
        session.dispose();
        db.close();
        throw err;
      }
    }

    // Runs until SIGTERM (systemd stop) or SIGINT (Ctrl-C). Timers are unref'd: hold the loop.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    // Started: from here the log streams (journald), it is not held until the service stops.
    io.diagnostics?.stream?.();
    watcher.start();
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      const on = (s: NodeJS.Signals) => resolve(s);
      process.once('SIGTERM', on);
      process.once('SIGINT', on);
    });
    log.info(`${signal}: stopping`);
    clearInterval(keepAlive);
    await server.close();
    await watcher.stop();
    await forward?.stop();
    session.dispose();
    db.close();
    return EXIT.ok;
  },
};
