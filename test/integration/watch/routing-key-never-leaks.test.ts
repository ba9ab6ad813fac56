// Security: the PagerDuty routing key reaches the events endpoint and nothing else. A
// receiver that echoes the whole request (key included) in its error answers cannot get
// it into the watcher's log, its SQLite files, /metrics, the heartbeat it writes into
// Vault, or the process's command line and environment (which `ps` and /proc show).
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baoFetch, loadTestServices, type ServicesState } from '../helpers/services';
import { PagerDutyReceiver } from './support/pagerduty-receiver';
import { startWatcher, watcherReady, watchFiles, type WatcherProcess, type WatchFiles } from './support/watch-fixtures';

let s: ServicesState;
let files: WatchFiles;
let rx: PagerDutyReceiver;
let watcher: WatcherProcess;

beforeAll(async () => {
  s = await loadTestServices();
  files = await watchFiles({ addr: s.openbao.addr, rootToken: s.openbao.rootToken });
  rx = new PagerDutyReceiver(files.routingKey);
  await rx.start();
  rx.answer({ status: 500, echo: true }, { status: 400, echo: true });
  watcher = await startWatcher({ bao: { addr: s.openbao.addr, auditLogPath: s.openbao.auditLogPath }, files, eventsUrl: rx.url, env: { VAULT_CONSOLE_WATCH_ID: 'leak-check' } });
  await watcherReady(watcher);
}, 120_000);

afterAll(async () => {
  await watcher?.stop();
  await rx?.stop();
});

describe('the routing key never leaks', () => {
  it('an echoing receiver cannot put the key in the log, SQLite, /metrics, the heartbeat, argv or the environment', async () => {
    const who = `eve-${randomBytes(3).toString('hex')}`;
    for (let i = 0; i < 6; i++) await baoFetch(s, 'POST', `auth/userpass/login/${who}`, { token: null, body: { password: 'x' } });
    // 500 (retried) then 400 (dropped): both answers quote the request, key and all.
    await rx.waitFor((e) => e.status === 400, 30_000, 'the echoed 400');
    expect(rx.events[0]!.routingKey).toBe(files.routingKey);
    await watcher.waitForLog(/refused .* as malformed; dropped/, 10_000);
    const key = files.routingKey;

    const log = watcher.log();
    expect(log).toContain('[redacted]');
    expect(log).not.toContain(key);

    const dbFiles = (await readdir(files.dataDir)).filter((f) => f.startsWith('vault-console-watch.db'));
    expect(dbFiles.length).toBeGreaterThan(0);
    for (const f of dbFiles) expect((await readFile(join(files.dataDir, f))).includes(Buffer.from(key)), f).toBe(false);

    expect(await watcher.metrics()).not.toContain(key);

    // The heartbeat is written every poll: wait for the one that lists the open page.
    const readHeartbeat = () => baoFetch<{ data: { data: Record<string, unknown> } }>(s, 'GET', `${s.openbao.kvMount}-watch/data/watchers/leak-check`);
    let hb = await readHeartbeat();
    for (let i = 0; i < 40 && !JSON.stringify(hb.body).includes('audit-failed-auth'); i++) {
      await new Promise((r) => setTimeout(r, 250));
      hb = await readHeartbeat();
    }
    expect(hb.status).toBe(200);
    expect(JSON.stringify(hb.body)).not.toContain(key);
    expect(JSON.stringify(hb.body)).toContain('audit-failed-auth');

    const pid = watcher.child.pid!;
    expect(await readFile(`/proc/${pid}/cmdline`, 'utf8')).not.toContain(key);
    expect(await readFile(`/proc/${pid}/environ`, 'utf8')).not.toContain(key);
  }, 90_000);
});
