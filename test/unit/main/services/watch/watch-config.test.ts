// The watcher's configuration: defaults, durations, addresses, URLs, and the places a
// routing key must never come from.
import { describe, expect, it } from 'vitest';
import { DEFAULT_EVENTS_URL, DEFAULT_SEVERITIES, parseDuration, parseMetricsAddress, watchConfig } from '../../../../../src/main/services/watch/watch-config';

describe('watch configuration', () => {
  it('defaults: 15 s polls, loopback metrics, PagerDuty, sys/audit discovery, break-glass as info', () => {
    const c = watchConfig({ HOME: '/home/ops' }, {}, 'tenants');
    expect(c).toMatchObject({
      pollMs: 15_000,
      metrics: { host: '127.0.0.1', port: 9469 },
      eventsUrl: DEFAULT_EVENTS_URL,
      routingKey: { kind: 'none' },
      auditLog: 'discover',
      sealedByConsole: 'info',
      watchMount: 'tenants-watch',
      backupMaxAgeMs: 86_400_000,
      heartbeatMs: 60_000,
    });
    expect(c.severities).toEqual(DEFAULT_SEVERITIES);
    expect(c.dataDir).toBe('/home/ops/.local/state/vault-console-watch');
  });

  it('flags win over the environment; systemd StateDirectory is the default data dir', () => {
    const c = watchConfig({ VAULT_CONSOLE_WATCH_POLL_INTERVAL: '30s', STATE_DIRECTORY: '/var/lib/vault-console-watch' }, { 'poll-interval': '2s' }, 'kv');
    expect(c.pollMs).toBe(2_000);
    expect(c.auditPollMs).toBe(2_000);
    expect(c.dataDir).toBe('/var/lib/vault-console-watch');
    expect(c.watchMount).toBe('kv-watch');
  });

  it('reads durations as people write them, and refuses the rest with the setting named', () => {
    expect(parseDuration('500ms', 'x', 1, 1e9)).toBe(500);
    expect(parseDuration('15', 'x', 1, 1e9)).toBe(15_000);
    expect(parseDuration('1.5m', 'x', 1, 1e9)).toBe(90_000);
    expect(parseDuration('24h', 'x', 1, 1e9)).toBe(86_400_000);
    expect(() => parseDuration('soon', '-poll-interval', 250, 600_000)).toThrow(/-poll-interval must be a duration from 250ms to 10m/);
    expect(() => watchConfig({ VAULT_CONSOLE_WATCH_POLL_INTERVAL: '0s' }, {}, 't')).toThrow(/VAULT_CONSOLE_WATCH_POLL_INTERVAL/);
    // The app warns after 5 minutes without a heartbeat: a slower heartbeat would always look dead.
    expect(() => watchConfig({}, { 'heartbeat-interval': '10m' }, 't')).toThrow(/-heartbeat-interval/);
  });

  it('metrics address: host:port, [v6]:port or none', () => {
    expect(parseMetricsAddress('0.0.0.0:9469', 'x')).toEqual({ host: '0.0.0.0', port: 9469 });
    expect(parseMetricsAddress('[::1]:9000', 'x')).toEqual({ host: '::1', port: 9000 });
    expect(parseMetricsAddress('none', 'x')).toBeNull();
    for (const bad of ['9469', 'localhost', '1.2.3.4:99999', '[zz]:1', 'a b:1']) expect(() => parseMetricsAddress(bad, '-metrics-address'), bad).toThrow(/-metrics-address must be host:port/);
  });

  it('events URL: https, or plain http to loopback only; never with credentials', () => {
    expect(watchConfig({}, { 'events-url': 'http://127.0.0.1:8080/v2/enqueue' }, 't').eventsUrl).toBe('http://127.0.0.1:8080/v2/enqueue');
    expect(watchConfig({}, { 'events-url': 'https://relay.example.com/v2/enqueue' }, 't').eventsUrl).toBe('https://relay.example.com/v2/enqueue');
    expect(() => watchConfig({}, { 'events-url': 'http://relay.example.com/v2/enqueue' }, 't')).toThrow(/must be https/);
    expect(() => watchConfig({}, { 'events-url': 'https://user:pw@relay.example.com/' }, 't')).toThrow(/credentials/);
    expect(() => watchConfig({}, { 'events-url': 'ftp://x' }, 't')).toThrow(/must be https/);
  });

  it('routing key: from a file or from Vault, never both, never from the environment', () => {
    expect(watchConfig({}, { 'routing-key-file': '/etc/k' }, 't').routingKey).toEqual({ kind: 'file', path: '/etc/k' });
    expect(watchConfig({}, { 'routing-key-vault': 'default' }, 't').routingKey).toEqual({ kind: 'vault', mount: 't-watch', path: 'pagerduty', field: 'routing_key' });
    expect(watchConfig({}, { 'routing-key-vault': 'ops/pagerduty/vault#key' }, 't').routingKey).toEqual({ kind: 'vault', mount: 'ops', path: 'pagerduty/vault', field: 'key' });
    expect(() => watchConfig({}, { 'routing-key-vault': '../../sys/x' }, 't')).toThrow(/-routing-key-vault must be/);
    expect(() => watchConfig({}, { 'routing-key-file': '/k', 'routing-key-vault': 'default' }, 't')).toThrow(/not both/);
    expect(() => watchConfig({ VAULT_CONSOLE_WATCH_ROUTING_KEY: 'abc' }, {}, 't')).toThrow(/not read from the environment/);
    expect(() => watchConfig({ PAGERDUTY_ROUTING_KEY: 'abc' }, {}, 't')).toThrow(/not read from the environment/);
  });

  it('severity overrides name known conditions and severities only', () => {
    const c = watchConfig({ VAULT_CONSOLE_WATCH_SEVERITY: 'audit-bulk-reads=info, backup-stale=warning' }, {}, 't');
    expect(c.severities['audit-bulk-reads']).toBe('info');
    expect(c.severities['backup-stale']).toBe('warning');
    expect(c.severities['vault-sealed']).toBe('critical');
    expect(() => watchConfig({ VAULT_CONSOLE_WATCH_SEVERITY: 'vault-melted=critical' }, {}, 't')).toThrow(/unknown condition/);
    expect(() => watchConfig({ VAULT_CONSOLE_WATCH_SEVERITY: 'vault-sealed=urgent' }, {}, 't')).toThrow(/must be one of critical, error, warning, info/);
  });

  it('watcher id and sealed-by-console are checked', () => {
    expect(() => watchConfig({}, { id: '../etc' }, 't')).toThrow(/-id must be/);
    expect(() => watchConfig({}, { 'sealed-by-console': 'critical' }, 't')).toThrow(/info or none/);
    expect(watchConfig({}, { 'sealed-by-console': 'none' }, 't').sealedByConsole).toBe('none');
  });
});
