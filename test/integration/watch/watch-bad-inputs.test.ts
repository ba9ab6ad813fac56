// Bad inputs to `vault-console watch`, each a clear one-line error (and no page) or a
// clear degraded state (and never a crash loop that pages): a routing key file others
// may read, one that is missing or not a file, a routing key on the command line or in
// the environment, a metrics address that is taken, a data dir another watcher holds,
// a plain-http events URL off this host, and a Vault that is unreachable at start.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../services/openbao/process';
import { loadTestServices, type ServicesState } from '../helpers/services';
import { PagerDutyReceiver } from './support/pagerduty-receiver';
import { startWatcher, watcherReady, watchFiles, type WatcherProcess, type WatchFiles } from './support/watch-fixtures';

let s: ServicesState;
let files: WatchFiles;
let rx: PagerDutyReceiver;
const running: WatcherProcess[] = [];

async function run(env: Record<string, string>, args: string[] = [], f: WatchFiles = files): Promise<WatcherProcess> {
  const w = await startWatcher({ bao: { addr: s.openbao.addr, auditLogPath: s.openbao.auditLogPath }, files: f, eventsUrl: rx.url, env, args });
  running.push(w);
  return w;
}

/** The process ended with exit 1 and said why on exactly one line, with no stack and no secret. */
async function failsWithOneLine(w: WatcherProcess, re: RegExp): Promise<string> {
  await Promise.race([w.wait(), new Promise((r) => setTimeout(r, 30_000))]);
  expect(w.alive, w.log()).toBe(false);
  expect(w.exitCode).toBe(1);
  const errors = w.stderr.filter((l) => l.startsWith('Error: '));
  expect(errors, w.log()).toHaveLength(1);
  expect(errors[0]).toMatch(re);
  expect(w.log()).not.toMatch(/^\s+at /m);
  expect(w.log()).not.toContain(files.routingKey);
  return errors[0]!;
}

beforeAll(async () => {
  s = await loadTestServices();
  files = await watchFiles({ addr: s.openbao.addr, rootToken: s.openbao.rootToken });
  rx = new PagerDutyReceiver(files.routingKey);
  await rx.start();
}, 60_000);

afterAll(async () => {
  for (const w of running) await w.stop();
  await rx?.stop();
});

describe('watch: bad inputs', () => {
  it('refuses a routing key file that group or others may read, naming the file and mode', async () => {
    const path = join(files.dir, 'open.key');
    await writeFile(path, files.routingKey, { mode: 0o644 });
    await chmod(path, 0o644);
    const line = await failsWithOneLine(await run({ VAULT_CONSOLE_WATCH_ROUTING_KEY_FILE: path }), /readable or writable by group or others \(mode 0644\); chmod 600 it \[BAD_INPUT\]/);
    expect(line).toContain(path);
    expect(rx.events).toHaveLength(0);
  }, 60_000);

  it('a routing key file that is missing or not a file is a clear start error', async () => {
    await failsWithOneLine(await run({ VAULT_CONSOLE_WATCH_ROUTING_KEY_FILE: join(files.dir, 'nope.key') }), /cannot read the routing key file .*nope\.key \(ENOENT\)/);
    const dir = join(files.dir, 'a-dir');
    await mkdir(dir, { mode: 0o700 });
    await failsWithOneLine(await run({ VAULT_CONSOLE_WATCH_ROUTING_KEY_FILE: dir }), /is not a regular file/);
    const junk = join(files.dir, 'junk.key');
    await writeFile(junk, 'not a key, just words\n', { mode: 0o600 });
    const line = await failsWithOneLine(await run({ VAULT_CONSOLE_WATCH_ROUTING_KEY_FILE: junk }), /does not hold a routing key/);
    expect(line).not.toContain('just words');
  }, 90_000);

  it('refuses a routing key on the command line or in the environment, without echoing it', async () => {
    await failsWithOneLine(await run({}, [`-routing-key=${files.routingKey}`]), /never taken from the command line/);
    await failsWithOneLine(await run({}, ['--pagerduty-routing-key', files.routingKey]), /never taken from the command line/);
    await failsWithOneLine(await run({}, [files.routingKey]), /takes no arguments/);
    await failsWithOneLine(await run({ VAULT_CONSOLE_WATCH_ROUTING_KEY: files.routingKey }), /not read from the environment/);
    expect(rx.events).toHaveLength(0);
  }, 90_000);

  it('a metrics address that is taken is a clear start error, before anything is paged', async () => {
    const port = await freeLoopbackPort();
    const squatter: Server = createServer();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', () => r()));
    try {
      await failsWithOneLine(await run({ VAULT_CONSOLE_WATCH_METRICS_ADDRESS: `127.0.0.1:${port}` }), new RegExp(`metrics address 127\\.0\\.0\\.1:${port} is already in use`));
    } finally {
      squatter.close();
    }
    await failsWithOneLine(await run({ VAULT_CONSOLE_WATCH_METRICS_ADDRESS: 'localhost' }), /must be host:port/);
    expect(rx.events).toHaveLength(0);
  }, 60_000);

  it('a plain-http events URL off this host is refused (the routing key would cross the network in clear)', async () => {
    await failsWithOneLine(await run({ VAULT_CONSOLE_WATCH_EVENTS_URL: 'http://events.example.com/v2/enqueue' }), /must be https/);
  }, 30_000);

  it('a second watcher on the same data dir refuses to start (it would send the same outbox)', async () => {
    const first = await run({});
    await watcherReady(first);
    await failsWithOneLine(await run({}), /another watcher is running with the data dir/);
    expect(first.alive).toBe(true);
    await first.stop();
  }, 90_000);

  it('a Vault unreachable at start is a degraded state: said once, visible in /metrics, paged once after the grace, never a crash', async () => {
    const deadPort = await freeLoopbackPort();
    const dead = `http://127.0.0.1:${deadPort}`;
    const w = await startWatcher({
      bao: { addr: dead, auditLogPath: s.openbao.auditLogPath },
      files: { ...files, dataDir: join(files.dir, 'data-unreachable') },
      eventsUrl: rx.url,
      env: { VAULT_CONSOLE_WATCH_UNREACHABLE_GRACE: '3s', VAULT_CONSOLE_WATCH_AUDIT_LOG: 'discover' },
    });
    running.push(w);
    await watcherReady(w);
    const ev = await rx.waitFor((e) => e.action === 'trigger' && e.condition === 'vault-unreachable', 30_000, 'unreachable trigger');
    expect(ev.dedupKey).toBe(`vault-console/127.0.0.1:${deadPort}/vault-unreachable`);
    expect(ev.severity).toBe('critical');
    await new Promise((r) => setTimeout(r, 5_000));
    expect(w.alive).toBe(true);
    expect(rx.triggers('vault-unreachable')).toHaveLength(1);
    expect(w.stderr.filter((l) => /is unreachable/.test(l))).toHaveLength(1);
    expect(await w.sample('vault_console_vault_up')).toBe(0);
    expect(await w.sample('vault_console_vault_sealed')).toBeNull();
    const healthz = await fetch(w.metricsUrl!.replace('/metrics', '/healthz'));
    expect(healthz.status).toBe(200);
  }, 90_000);
});
