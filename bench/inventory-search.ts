// Search and filter latency: in the service (SQLite, 10,000+ tenants) and from a
// keystroke in the harness page to the rendered rows in Chromium.
import { loadavg } from 'node:os';
import { chromium } from '@playwright/test';
import { connectionFromEnv } from '../src/main/services/config/app-config';
import { createVaultClient } from '../src/main/services/vault/vault-client';
import { startOpenBao } from '../test/services/openbao/openbao';
import { consoleSync, openIndex, removeIndex } from './inventory-sync';
import { renderTable } from './lib/table';
import { TenantSearchInputSchema, type TenantSearchInput } from '../src/shared/contracts/inventory';
import type { InventoryService } from '../src/main/services/inventory/inventory-service';
import { startHarness } from '../test/harness/harness';
import { summarize, type LatencyStats } from './lib/stats';

const TYPES = ['all', 'ssh', 'smtp', 'api', 'dkim'] as const;
const STATUSES = [undefined, 'active', 'expired', 'revoked'] as const;
const DUES = [undefined, '7d', '30d', 'overdue'] as const;
const SORTS = ['tenantId', 'name', 'vpsIp', 'ssh', 'smtp', 'apiCount', 'dkimCount', 'lastRotation', 'actions'] as const;

/** A deterministic mix: name substrings, id fragments, IP prefixes, every filter combination, every sort, deep pages. */
export function searchCases(service: InventoryService): TenantSearchInput[] {
  const all = service.search(TenantSearchInputSchema.parse({ limit: 1000 })).rows;
  const cases: TenantSearchInput[] = [];
  for (let i = 0; i < 60; i++) {
    const r = all[(i * 97) % all.length]!;
    const word = r.name.split(/\s+/)[0] ?? r.name;
    cases.push({ query: i % 2 ? word.slice(0, 4).toUpperCase() : word.slice(1, 5) });
    if (i % 3 === 0) cases.push({ query: r.tenantId.slice(2, 7) });
    if (i % 3 === 1) cases.push({ query: r.vpsIp.split('.').slice(0, 3).join('.') });
  }
  for (const type of TYPES) for (const status of STATUSES) for (const due of DUES) cases.push({ type, ...(status ? { status } : {}), ...(due ? { due } : {}) });
  for (const sort of SORTS) for (const dir of ['asc', 'desc'] as const) cases.push({ sort, dir }, { sort, dir, offset: 5000 });
  cases.push({ query: '10.', due: 'overdue', sort: 'ssh' }, { query: 'gmbh', type: 'api', status: 'revoked' }, { query: '%_' });
  // Accents and case: what a person types for "Café Olé", "Zürcher", "Łódź", "São Paulo".
  cases.push({ query: 'cafe' }, { query: 'CAFÉ OLE' }, { query: 'zurcher' }, { query: 'lodz' }, { query: 'sao paulo' }, { query: 'muller', due: 'overdue' });
  return cases;
}

export function benchServiceSearch(service: InventoryService, rounds = 5): { stats: LatencyStats; queries: number } {
  const cases = searchCases(service).map((c) => TenantSearchInputSchema.parse(c));
  for (const c of cases) service.search(c); // warm the statement cache
  const samples: number[] = [];
  const start = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      const t = performance.now();
      service.search(c);
      samples.push(performance.now() - t);
    }
  }
  return { stats: summarize(samples, performance.now() - start), queries: cases.length };
}

const IN_PAGE = `async (queries) => {
  const input = document.querySelector('[data-testid="tenant-search"]');
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
  const out = [];
  for (const q of queries) {
    const t0 = performance.now();
    setter.call(input, q);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    // Resolve as soon as React commits the rows for this query (MutationObserver), then wait
    // for the next frame: the rows are painted.
    await new Promise((resolve) => {
      const table = () => document.querySelector('[data-testid="tenant-table"]');
      const done = () => {
        const t = table();
        return t && t.getAttribute('data-query') === q &&
          (document.querySelector('[data-testid="tenant-row"]') !== null || document.querySelector('[data-testid="result-count"]').textContent === '0 tenants');
      };
      if (done()) return resolve();
      const obs = new MutationObserver(() => { if (done()) { obs.disconnect(); resolve(); } });
      obs.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await new Promise((r) => requestAnimationFrame(() => r()));
    out.push(performance.now() - t0);
  }
  return out;
}`;

/** Types words key by key into the search box and times each keystroke until its rows are on screen. */
export async function benchKeystrokes(opts: { vaultAddr: string; token: string; mount: string; dataDir: string; words: string[] }): Promise<{ stats: LatencyStats; keystrokes: number }> {
  const harness = await startHarness({ env: { VAULT_ADDR: opts.vaultAddr, VAULT_CONSOLE_KV_MOUNT: opts.mount }, dataDir: opts.dataDir, keychainService: `vault-console-bench-${Date.now()}` });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(harness.url);
    await page.getByTestId('nav-tenants').click();
    await page.getByTestId('method-token').click();
    await page.getByTestId('sign-in-token').fill(opts.token);
    await page.getByTestId('sign-in-submit').click();
    await page.getByTestId('tenant-row').first().waitFor();
    const keystrokes: string[] = [];
    for (const w of opts.words) {
      for (let i = 1; i <= w.length; i++) keystrokes.push(w.slice(0, i));
      keystrokes.push('');
    }
    // Runs in the page (a string: this file is type-checked without the DOM library).
    const samples = (await page.evaluate(`(${IN_PAGE})(${JSON.stringify(keystrokes)})`)) as number[];
    return { stats: summarize(samples), keystrokes: samples.length };
  } finally {
    await browser.close();
    await harness.close();
  }
}

/**
 * On its own, for before/after comparisons of the search (full sync into a fresh index, then
 * the service and keystroke latencies):
 *   BENCH_VAULT_ADDR=… BENCH_VAULT_TOKEN=… [BENCH_INVENTORY_MOUNT=tenants] npx tsx bench/inventory-search.ts
 * or BENCH_OPENBAO_DATA_DIR=<an OpenBao data dir made by startOpenBao, e.g. a seeded demo's>.
 * Run under test/services/keyring/with-keyring.sh for the keystroke part.
 */
async function main(): Promise<void> {
  let addr = process.env.BENCH_VAULT_ADDR;
  let token = process.env.BENCH_VAULT_TOKEN;
  let mount = process.env.BENCH_INVENTORY_MOUNT ?? 'tenants';
  const bao = !addr && process.env.BENCH_OPENBAO_DATA_DIR ? await startOpenBao({ dataDir: process.env.BENCH_OPENBAO_DATA_DIR }) : null;
  if (bao) {
    addr = bao.addr;
    token = bao.rootToken;
    mount = bao.kvMount;
  }
  if (!addr || !token) throw new Error('set BENCH_VAULT_ADDR and BENCH_VAULT_TOKEN, or BENCH_OPENBAO_DATA_DIR');
  const client = createVaultClient(connectionFromEnv({ VAULT_ADDR: addr }), token);
  const idx = openIndex(client, mount, 'auto', 16);
  try {
    const load = loadavg();
    const sync = await consoleSync(idx, 'full', 'full sync');
    process.stderr.write(`[bench:search] ${sync.label}: ${sync.tenants} tenants in ${(sync.durationMs / 1000).toFixed(1)} s\n`);
    const search = benchServiceSearch(idx.service);
    const words = ['gmbh', 'müller', 'muller', 'cafe', 'zurcher', 'sakura', 'mail', 't-0042', '203.0.113.', '10.1', 'bau', 'tech', 'nord', 'süd'];
    const keys = process.env.DBUS_SESSION_BUS_ADDRESS ? await benchKeystrokes({ vaultAddr: addr, token, mount, dataDir: idx.dir, words }) : null;
    process.stdout.write(
      `\n${renderTable(['benchmark', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'ops/s', 'notes'], [
        ['inventory: service search', search.stats.count, search.stats.p50Ms, search.stats.p95Ms, search.stats.p99Ms, search.stats.opsPerSecond, `${search.queries} distinct queries over ${sync.tenants} tenants`],
        ['inventory: keystroke→rows', keys?.stats.count ?? 0, keys?.stats.p50Ms ?? Number.NaN, keys?.stats.p95Ms ?? Number.NaN, keys?.stats.p99Ms ?? Number.NaN, Number.NaN, keys ? 'harness, Chromium' : 'skipped: no D-Bus session (run under with-keyring.sh)'],
        ['load average', Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN, `start ${load.map((l) => l.toFixed(1)).join('/')}, end ${loadavg().map((l) => l.toFixed(1)).join('/')}`],
      ])}\n\n`,
    );
  } finally {
    removeIndex(idx);
    client.close();
    await bao?.stop();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`[bench:search] failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
