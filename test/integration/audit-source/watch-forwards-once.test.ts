// `vault-console watch -forward-victorialogs`: the audit log the watcher tails reaches the
// VictoriaLogs of the console's active profile (settings from `audit source set`), every
// event once: what the file held at start, what is appended later, and nothing again
// after the watcher is stopped and started over the same file. Real watcher process,
// real OpenBao (the watcher's Vault), real VictoriaLogs. A profile whose source is the
// local store refuses to start rather than forward nowhere.
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAuditFile } from '../../../src/main/services/audit/audit-importer';
import { AuditRepo } from '../../../src/main/services/storage/audit-repo';
import { openDatabase } from '../../../src/main/services/storage/database';
import { startVictoriaLogs, type VictoriaLogsInstance } from '../../services/victorialogs/victorialogs';
import { runCli } from '../cli/run-cli';
import { loadTestServices, type ServicesState } from '../helpers/services';
import { startWatcher, watchFiles, type WatcherProcess, type WatchFiles } from '../watch/support/watch-fixtures';
import { FIXTURES } from './both-sources';

const CLUSTER = `watch-fwd-${Date.now().toString(36)}`;
let s: ServicesState;
let vl: VictoriaLogsInstance;
let files: WatchFiles;
let consoleDir: string;
let log: string;
let watcher: WatcherProcess | null = null;

async function vlQuery(q: string): Promise<Record<string, string>[]> {
  const r = await fetch(`${vl.url}/select/logsql/query`, { method: 'POST', body: new URLSearchParams({ query: q }) });
  expect(r.status).toBe(200);
  return (await r.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, string>);
}

/** Lines in VictoriaLogs for this cluster, and distinct event keys among them. */
async function stored(): Promise<{ lines: number; keys: number }> {
  await vl.flush();
  const [r] = await vlQuery(`{vault_cluster="${CLUSTER}"} | stats count() as n, count_uniq(key) as u`);
  return { lines: Number(r?.n ?? 0), keys: Number(r?.u ?? 0) };
}

/**
 * The keys the console's own importer finds in the file with their response logged (what
 * must arrive, once each). A request whose response is not in the file yet is held by a
 * following forwarder until it comes (the importer of a finished file stores it as pending).
 */
async function keysIn(path: string): Promise<Set<string>> {
  const repo = new AuditRepo(openDatabase(':memory:'));
  await importAuditFile(repo, path);
  return new Set(repo.page({}, null, 100_000).events.filter((e) => e.status !== 'pending').map((e) => e.key));
}

async function until(what: string, ok: () => Promise<boolean>, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; watcher log: ${watcher?.log() ?? ''}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

function start(dataDirOfConsole = consoleDir): Promise<WatcherProcess> {
  return startWatcher({
    bao: { addr: s.openbao.addr, auditLogPath: log },
    files,
    eventsUrl: 'http://127.0.0.1:9/v2/enqueue',
    metrics: false,
    env: { VAULT_CONSOLE_DATA_DIR: dataDirOfConsole },
    args: ['-forward-victorialogs'],
  });
}

beforeAll(async () => {
  s = await loadTestServices();
  vl = await startVictoriaLogs();
  files = await watchFiles({ addr: s.openbao.addr, rootToken: s.openbao.rootToken });
  consoleDir = mkdtempSync(join(tmpdir(), 'vc-watch-fwd-console-'));
  const db = openDatabase(join(consoleDir, 'vault-console.db'));
  db.prepare(`INSERT INTO connection_profiles (id, name, address, min_tls, kv_mount, created_at, updated_at) VALUES ('p-watch-fwd', 'Prod', 'https://vault.example', 'TLSv1.3', 'tenants', 't', 't')`).run();
  db.close();
  const set = await runCli(['audit', 'source', 'set', '-kind=victorialogs', `-url=${vl.url}`, `-stream={vault_cluster="${CLUSTER}"}`], { VAULT_CONSOLE_DATA_DIR: consoleDir });
  expect(set.code, set.stderr).toBe(0);
  log = join(mkdtempSync(join(tmpdir(), 'vc-watch-fwd-log-')), 'audit.log');
  copyFileSync(join(FIXTURES, 'openbao-2.4-audit.jsonl'), log);
}, 120_000);

afterAll(async () => {
  await watcher?.stop();
  await vl?.stop();
});

describe('watch -forward-victorialogs (real watcher, OpenBao and VictoriaLogs)', () => {
  it('refuses to start when the profile reads the local store: no silent gap', async () => {
    const localDir = mkdtempSync(join(tmpdir(), 'vc-watch-fwd-local-'));
    const db = openDatabase(join(localDir, 'vault-console.db'));
    db.prepare(`INSERT INTO connection_profiles (id, name, address, min_tls, kv_mount, created_at, updated_at) VALUES ('p-local', 'Local', 'https://vault.example', 'TLSv1.3', 'tenants', 't', 't')`).run();
    db.close();
    const w = await start(localDir);
    await w.wait();
    expect(w.exitCode).not.toBe(0);
    expect(w.log()).toMatch(/audit source is the local store/);
    expect((await stored()).lines).toBe(0);
  }, 60_000);

  it('ships the file, then what is appended, each event once; a restart sends nothing again', async () => {
    const first = await keysIn(log);
    expect(first.size).toBeGreaterThan(20);
    watcher = await start();
    await watcher.waitForLog(/\[forward\] forwarding /, 60_000);
    // The tail starts at the end of the file (paging is about new events); the forwarder ships all of it.
    await until('the file at start reached VictoriaLogs', async () => (await stored()).keys >= first.size);

    appendFileSync(log, readFileSync(join(FIXTURES, 'openbao-2.4-adversary.jsonl')));
    const all = await keysIn(log);
    expect(all.size).toBeGreaterThan(first.size + 100);
    await until('the appended events reached VictoriaLogs', async () => (await stored()).keys >= all.size);
    let now = await stored();
    expect(now).toEqual({ lines: all.size, keys: all.size });
    // The very keys the importer found, no others.
    const keys = new Set((await vlQuery(`{vault_cluster="${CLUSTER}"} | fields key`)).map((r) => r.key!));
    expect([...keys].sort()).toEqual([...all].sort());

    // Stopped and started over the same file: the cursor says it was all sent.
    await watcher.stop();
    watcher = await start();
    await watcher.waitForLog(/\[forward\] forwarding /, 60_000);
    await new Promise((r) => setTimeout(r, 4_000));
    now = await stored();
    expect(now).toEqual({ lines: all.size, keys: all.size });
    expect(watcher.alive).toBe(true);
  }, 180_000);
});
