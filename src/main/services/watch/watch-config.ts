// The watcher's configuration, from VAULT_CONSOLE_WATCH_* variables and the
// command's flags (flags win). Every value is checked here, once, with a message
// that names the variable or flag. No secret is configured this way: the PagerDuty
// routing key comes from an owner-only file or from Vault (routing-key.ts).
import { hostname, homedir } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { PAGE_SEVERITIES, WATCH_CONDITIONS, type PageSeverity, type WatchCondition } from '../../../shared/contracts/watch';
import { AppError } from '../../../shared/errors';

export const DEFAULT_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
export const DEFAULT_METRICS_PORT = 9469;
export const DEFAULT_METRICS_ADDRESS = `127.0.0.1:${DEFAULT_METRICS_PORT}`;
export const WATCH_DATABASE_FILE = 'vault-console-watch.db';

/** Where the routing key comes from. */
export type RoutingKeySource = { kind: 'file'; path: string } | { kind: 'vault'; mount: string; path: string; field: string } | { kind: 'none' };

export interface MetricsAddress {
  host: string;
  port: number;
}

export interface WatchConfig {
  pollMs: number;
  /** null: no /metrics endpoint. */
  metrics: MetricsAddress | null;
  eventsUrl: string;
  routingKey: RoutingKeySource;
  /** A file path, 'discover' (ask sys/audit) or 'none'. */
  auditLog: string;
  auditPollMs: number;
  dataDir: string;
  watcherId: string;
  /** A seal the console's break-glass action announced: page as info, or not at all. */
  sealedByConsole: 'info' | 'none';
  sealIntentWindowMs: number;
  heartbeatMs: number;
  backupCheckMs: number;
  backupMaxAgeMs: number;
  /** The backup store may be unreadable this long before it pages as a backup failure. */
  backupGraceMs: number;
  /** How often DKIM keys in grace are re-checked in DNS (issue 16); null: never. */
  dkimDnsRecheckMs: number | null;
  /** VAULT_CONSOLE_DNS_RESOLVERS (else the system's resolvers). */
  dnsResolvers: string | undefined;
  inventoryMs: number;
  unreachableGraceMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Base of the link back to the console in each page. */
  consoleUrl: string;
  kvMount: string;
  /** KV v2 mount for heartbeats, seal intents and (optionally) the routing key. */
  watchMount: string;
  severities: Record<WatchCondition, PageSeverity>;
}

export const DEFAULT_SEVERITIES: Record<WatchCondition, PageSeverity> = {
  'vault-sealed': 'critical',
  'vault-unreachable': 'critical',
  'backup-failed': 'error',
  'backup-stale': 'error',
  'audit-failed-auth': 'error',
  'audit-delete-without-approval': 'error',
  'audit-header-contradiction': 'error',
  'audit-sys-critical': 'error',
  'audit-key-decrypt': 'error',
  'audit-bulk-reads': 'warning',
  'audit-wide-reads': 'warning',
  'audit-off-hours': 'warning',
};

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "15s", "500ms", "5m", "24h", "2d"; a bare number is seconds. */
export function parseDuration(raw: string, name: string, min: number, max: number): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(raw.trim());
  const ms = m ? Math.round(Number(m[1]) * UNITS[m[2] ?? 's']!) : Number.NaN;
  if (!Number.isFinite(ms) || ms < min || ms > max) {
    throw new AppError('BAD_INPUT', `${name} must be a duration from ${human(min)} to ${human(max)} (like 15s, 5m, 24h), got ${JSON.stringify(raw.slice(0, 30))}`);
  }
  return ms;
}

function human(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** host:port, [v6]:port; "none" disables the endpoint. */
export function parseMetricsAddress(raw: string, name: string): MetricsAddress | null {
  const v = raw.trim();
  if (v === 'none' || v === 'off') return null;
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(v);
  const host = m ? (m[1] ?? m[2]!) : '';
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65535 || (m[1] !== undefined && isIP(host) !== 6)) {
    throw new AppError('BAD_INPUT', `${name} must be host:port (like 127.0.0.1:${DEFAULT_METRICS_PORT}) or none, got ${JSON.stringify(v.slice(0, 60))}`);
  }
  return { host, port };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** https anywhere; plain http only to a loopback receiver (tests, a local relay). */
export function parseEventsUrl(raw: string, name: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new AppError('BAD_INPUT', `${name} is not a URL`);
  }
  if (u.username || u.password) throw new AppError('BAD_INPUT', `${name} must not contain credentials`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (u.protocol === 'https:' || (u.protocol === 'http:' && isLoopback(host))) return u.toString();
  throw new AppError('BAD_INPUT', `${name} must be https (plain http only to a loopback address)`);
}

export function parseConsoleUrl(raw: string, name: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new AppError('BAD_INPUT', `${name} is not a URL`);
  }
  if (!['https:', 'http:', 'vault-console:'].includes(u.protocol)) throw new AppError('BAD_INPUT', `${name} must be an https, http or vault-console: URL`);
  return u.toString().replace(/\/+$/, '');
}

/** "vault-sealed=error,audit-bulk-reads=info": per-condition severity overrides. */
export function parseSeverities(raw: string, name: string): Record<WatchCondition, PageSeverity> {
  const out = { ...DEFAULT_SEVERITIES };
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [k, v] = part.split('=').map((s) => s.trim());
    if (!k || !(WATCH_CONDITIONS as readonly string[]).includes(k)) throw new AppError('BAD_INPUT', `${name}: unknown condition ${JSON.stringify((k ?? '').slice(0, 40))} (one of ${WATCH_CONDITIONS.join(', ')})`);
    if (!v || !(PAGE_SEVERITIES as readonly string[]).includes(v)) throw new AppError('BAD_INPUT', `${name}: severity for ${k} must be one of ${PAGE_SEVERITIES.join(', ')}`);
    out[k as WatchCondition] = v as PageSeverity;
  }
  return out;
}

const MOUNT_RE = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;
const ID_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** The host name as a watcher id: lower case, [a-z0-9-], at most 63 characters. */
export function defaultWatcherId(): string {
  const h = hostname().toLowerCase().split('.')[0]!.replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return (h || 'watcher').slice(0, 63);
}

export type WatchInputs = Partial<Record<WatchSetting, string>>;

/** Each setting: its flag name (without the dash) and its environment variable. */
export const WATCH_SETTINGS = {
  'poll-interval': 'VAULT_CONSOLE_WATCH_POLL_INTERVAL',
  'metrics-address': 'VAULT_CONSOLE_WATCH_METRICS_ADDRESS',
  'events-url': 'VAULT_CONSOLE_WATCH_EVENTS_URL',
  'routing-key-file': 'VAULT_CONSOLE_WATCH_ROUTING_KEY_FILE',
  'routing-key-vault': 'VAULT_CONSOLE_WATCH_ROUTING_KEY_VAULT',
  'audit-log': 'VAULT_CONSOLE_WATCH_AUDIT_LOG',
  'data-dir': 'VAULT_CONSOLE_WATCH_DATA_DIR',
  id: 'VAULT_CONSOLE_WATCH_ID',
  'sealed-by-console': 'VAULT_CONSOLE_WATCH_SEALED_BY_CONSOLE',
  'heartbeat-interval': 'VAULT_CONSOLE_WATCH_HEARTBEAT_INTERVAL',
  'backup-check-interval': 'VAULT_CONSOLE_WATCH_BACKUP_CHECK_INTERVAL',
  'backup-max-age': 'VAULT_CONSOLE_WATCH_BACKUP_MAX_AGE',
  'backup-grace': 'VAULT_CONSOLE_WATCH_BACKUP_GRACE',
  'inventory-interval': 'VAULT_CONSOLE_WATCH_INVENTORY_INTERVAL',
  'unreachable-grace': 'VAULT_CONSOLE_WATCH_UNREACHABLE_GRACE',
  'retry-base': 'VAULT_CONSOLE_WATCH_RETRY_BASE',
  'retry-max': 'VAULT_CONSOLE_WATCH_RETRY_MAX',
  'console-url': 'VAULT_CONSOLE_WATCH_CONSOLE_URL',
  'watch-mount': 'VAULT_CONSOLE_WATCH_MOUNT',
  severity: 'VAULT_CONSOLE_WATCH_SEVERITY',
  'dkim-dns-recheck': 'VAULT_CONSOLE_WATCH_DKIM_DNS_RECHECK',
} as const;
export type WatchSetting = keyof typeof WATCH_SETTINGS;

export function watchConfig(env: NodeJS.ProcessEnv, flags: WatchInputs, kvMount: string): WatchConfig {
  // The routing key itself is never configuration: refuse the obvious places people put it.
  if (env.VAULT_CONSOLE_WATCH_ROUTING_KEY !== undefined || env.PAGERDUTY_ROUTING_KEY !== undefined) {
    throw new AppError('BAD_INPUT', 'the PagerDuty routing key is not read from the environment; put it in a file only its owner can read (-routing-key-file) or in Vault (-routing-key-vault)');
  }
  const get = (k: WatchSetting): { raw: string; name: string } | null => {
    const f = flags[k];
    if (f !== undefined) return { raw: f, name: `-${k}` };
    const e = env[WATCH_SETTINGS[k]];
    return e !== undefined && e !== '' ? { raw: e, name: WATCH_SETTINGS[k] } : null;
  };
  const dur = (k: WatchSetting, def: number, min: number, max: number) => {
    const v = get(k);
    return v ? parseDuration(v.raw, v.name, min, max) : def;
  };

  const pollMs = dur('poll-interval', 15_000, 250, 600_000);
  const metricsIn = get('metrics-address');
  const metrics = metricsIn ? parseMetricsAddress(metricsIn.raw, metricsIn.name) : parseMetricsAddress(DEFAULT_METRICS_ADDRESS, 'default');
  const eventsIn = get('events-url');
  const eventsUrl = eventsIn ? parseEventsUrl(eventsIn.raw, eventsIn.name) : DEFAULT_EVENTS_URL;

  const watchMountIn = get('watch-mount');
  const watchMount = watchMountIn?.raw.trim() ?? `${kvMount}-watch`;
  if (!MOUNT_RE.test(watchMount) || watchMount.includes('..')) throw new AppError('BAD_INPUT', `${watchMountIn?.name ?? 'the watch mount'} is not a mount name`);

  const fileIn = get('routing-key-file');
  const vaultIn = get('routing-key-vault');
  if (fileIn && vaultIn) throw new AppError('BAD_INPUT', `give the routing key in a file (${fileIn.name}) or in Vault (${vaultIn.name}), not both`);
  let routingKey: RoutingKeySource = { kind: 'none' };
  if (fileIn) {
    if (!fileIn.raw.trim()) throw new AppError('BAD_INPUT', `${fileIn.name} is empty`);
    routingKey = { kind: 'file', path: fileIn.raw.trim() };
  } else if (vaultIn) {
    // "default", or <mount>/<path>[#field]
    const v = vaultIn.raw.trim();
    if (v === 'default' || v === 'yes' || v === 'true') {
      routingKey = { kind: 'vault', mount: watchMount, path: 'pagerduty', field: 'routing_key' };
    } else {
      const m = /^([A-Za-z0-9_-][A-Za-z0-9_.-]*)\/([A-Za-z0-9_./-]+?)(?:#([A-Za-z0-9_-]+))?$/.exec(v);
      if (!m || v.includes('..')) throw new AppError('BAD_INPUT', `${vaultIn.name} must be "default" or <kv-v2-mount>/<path>[#field]`);
      routingKey = { kind: 'vault', mount: m[1]!, path: m[2]!, field: m[3] ?? 'routing_key' };
    }
  }

  const auditIn = get('audit-log');
  const auditLog = auditIn?.raw.trim() || 'discover';

  const dataIn = get('data-dir');
  const dataDir = dataIn?.raw.trim() || env.STATE_DIRECTORY?.split(':')[0] || join(env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state'), 'vault-console-watch');

  const idIn = get('id');
  const watcherId = idIn ? idIn.raw.trim() : defaultWatcherId();
  if (!ID_RE.test(watcherId)) throw new AppError('BAD_INPUT', `${idIn?.name ?? 'the watcher id'} must be 1-63 characters of a-z, 0-9 and -, starting with a letter or digit`);

  const sbcIn = get('sealed-by-console');
  const sealedByConsole = (sbcIn?.raw.trim() ?? 'info') as 'info' | 'none';
  if (sealedByConsole !== 'info' && sealedByConsole !== 'none') throw new AppError('BAD_INPUT', `${sbcIn!.name} must be info or none`);

  const consoleIn = get('console-url');
  const sevIn = get('severity');
  const dkimIn = get('dkim-dns-recheck');
  const dkimDnsRecheckMs = dkimIn && /^(off|none|no|0)$/i.test(dkimIn.raw.trim()) ? null : dur('dkim-dns-recheck', 900_000, 10_000, 86_400_000);
  const retryBaseMs = dur('retry-base', 2_000, 100, 600_000);
  const retryMaxMs = dur('retry-max', 300_000, 1_000, 3_600_000);
  return {
    pollMs,
    metrics,
    eventsUrl,
    routingKey,
    auditLog,
    auditPollMs: Math.min(pollMs, 5_000),
    dataDir,
    watcherId,
    sealedByConsole,
    sealIntentWindowMs: 600_000,
    heartbeatMs: dur('heartbeat-interval', 60_000, 1_000, 240_000),
    backupCheckMs: dur('backup-check-interval', 60_000, 500, 3_600_000),
    backupMaxAgeMs: dur('backup-max-age', 86_400_000, 60_000, 30 * 86_400_000),
    backupGraceMs: dur('backup-grace', 300_000, 0, 86_400_000),
    inventoryMs: dur('inventory-interval', 900_000, 5_000, 86_400_000),
    dkimDnsRecheckMs,
    dnsResolvers: env.VAULT_CONSOLE_DNS_RESOLVERS,
    unreachableGraceMs: dur('unreachable-grace', 60_000, 0, 3_600_000),
    retryBaseMs,
    retryMaxMs: Math.max(retryMaxMs, retryBaseMs),
    consoleUrl: consoleIn ? parseConsoleUrl(consoleIn.raw, consoleIn.name) : 'vault-console://open',
    kvMount,
    watchMount,
    severities: sevIn ? parseSeverities(sevIn.raw, sevIn.name) : { ...DEFAULT_SEVERITIES },
  };
}
