// `vault-console watch` re-checks DKIM keys in grace against DNS (issue 16: "a scheduled
// re-check ... in vault-console watch"), on its own OpenBao and a real Knot DNS server on
// loopback: with the optional vault-console-watch-dkim policy the key's DNS state in Vault
// becomes "published" with the watcher as the checker; with the base policy only, the
// watcher says once why it cannot, keeps watching, and writes nothing.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionFromEnv } from '../../../src/main/services/config/app-config';
import { createKvStore } from '../../../src/main/services/vault/kv';
import { createVaultClient, type VaultClient } from '../../../src/main/services/vault/vault-client';
import { startKnot, type KnotInstance } from '../../services/dns/knot';
import { baoRequest } from '../../services/openbao/openbao-api';
import { startOpenBao, type OpenBaoInstance } from '../../services/openbao/openbao';
import { waitFor } from '../../services/openbao/process';
import { dkimValues, publish } from '../dkim-dns/dkim-dns-helpers';
import { newService, seed } from '../rotation/rotation-helpers';
import { PagerDutyReceiver } from './support/pagerduty-receiver';
import { startWatcher, watcherReady, watchFiles, type WatcherProcess, type WatchFiles } from './support/watch-fixtures';

let bao: OpenBaoInstance;
let root: VaultClient;
let files: WatchFiles;
let rx: PagerDutyReceiver;
let knot: KnotInstance;
let rotated: string;
let untouched: string;
const running: WatcherProcess[] = [];

async function tokenWith(policies: string[]): Promise<string> {
  const tok = await baoRequest<{ auth: { client_token: string } }>(bao.addr, 'POST', 'auth/token/create-orphan', { token: bao.rootToken, body: { policies, ttl: '1h' } });
  const file = join(files.dir, `token-${policies.length}`);
  await writeFile(file, tok.auth.client_token, { mode: 0o600 });
  return file;
}

async function dnsMeta(path: string): Promise<Record<string, string>> {
  return (await createKvStore(root, bao.kvMount).readMetadata(path))?.customMetadata ?? {};
}

async function watcher(tokenFile: string, dataDir: string): Promise<WatcherProcess> {
  const w = await startWatcher({
    bao,
    files: { ...files, tokenFile, dataDir },
    eventsUrl: rx.url,
    env: { VAULT_CONSOLE_DNS_RESOLVERS: knot.address, VAULT_CONSOLE_WATCH_DKIM_DNS_RECHECK: '10s', VAULT_CONSOLE_WATCH_POLL_INTERVAL: '1s' },
  });
  running.push(w);
  await watcherReady(w);
  return w;
}

beforeAll(async () => {
  bao = await startOpenBao();
  root = createVaultClient(connectionFromEnv({ VAULT_ADDR: bao.addr }), bao.rootToken);
  await seed(root, bao.kvMount, 2, 'watch-dkim');
  const kv = createKvStore(root, bao.kvMount);
  const d1 = (await kv.list('t-000001/dkim'))[0]!;
  rotated = `t-000001/dkim/${d1}`;
  untouched = `t-000002/dkim/${(await kv.list('t-000002/dkim'))[0]!}`;
  // A rotation puts the key in grace: the previous selector waits for the new one in DNS.
  await newService(root, bao.kvMount, { graceSweep: false }).service.rotateOne('t-000001', `dkim:${d1}`, 'watch dkim test');
  const v = await dkimValues(root, bao.kvMount, rotated);
  knot = await startKnot({ [d1]: '' });
  await publish([knot], d1, [[v.selector, v.txt]]);
  files = await watchFiles(bao);
  rx = new PagerDutyReceiver(files.routingKey);
  await rx.start();
}, 180_000);

afterAll(async () => {
  for (const w of running) await w.stop();
  await rx?.stop();
  await knot?.stop();
  root?.close();
  await bao?.stop({ removeData: true });
});

describe('watch: DKIM DNS re-check', () => {
  it('with the base policy only: says once that it may not read the DKIM keys, writes nothing, keeps watching', async () => {
    const w = await watcher(files.tokenFile, join(files.dir, 'data-base'));
    const line = await w.waitForLog(/DKIM DNS re-check: the watcher's policy may not read 1 DKIM key/, 90_000);
    expect(line).toContain('vault-console-watch-dkim');
    await waitFor('a second re-check', async () => ((await w.sample('vault_console_watch_errors_total', 'source="dkim-dns"')) ?? 0) >= 2, { timeoutMs: 60_000 });
    expect(w.stderr.filter((l) => /may not read/.test(l))).toHaveLength(1);
    expect((await dnsMeta(rotated)).dns_state).toBeUndefined();
    expect(w.alive).toBe(true);
    await w.stop();
  }, 180_000);

  it('with vault-console-watch-dkim: the key in grace is checked against the real DNS server and recorded as published by the watcher', async () => {
    const w = await watcher(await tokenWith(['vault-console-watch', 'vault-console-watch-dkim']), join(files.dir, 'data-dkim'));
    await waitFor('the DNS state recorded', async () => (await dnsMeta(rotated)).dns_state === 'published', { timeoutMs: 90_000, intervalMs: 1_000 }).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}; watcher log:\n${w.log()}`);
    });
    const md = await dnsMeta(rotated);
    expect(md.dns_checked_by).toBe('watch:test-watcher');
    expect(md.dns_resolvers).toContain(knot.address.split(':')[0]);
    expect(md.dns_first_seen).toBeTruthy();
    // A key not in grace is left alone.
    expect((await dnsMeta(untouched)).dns_state).toBeUndefined();
    expect(await w.sample('vault_console_dkim_dns_waiting')).toBe(0);
    expect(await w.sample('vault_console_dkim_dns_last_recheck_timestamp_seconds')).toBeGreaterThan(0);
    expect(w.log()).not.toMatch(/may not read/);
  }, 180_000);
});
