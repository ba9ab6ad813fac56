// Screenshots of every view at 10,000 tenants, for the test artefacts. Opt-in (not part of
// test-all): seeding 10,000 tenants takes minutes (once; the data is kept in
// .vault-console-dev/screens-10k, so later runs start in seconds), then the index syncs,
// a backup runs, and Chromium shoots each view into test-results/screenshots-10k/.
//   bash test/services/keyring/with-keyring.sh npx tsx scripts/screenshots-10k.ts [--tenants N]
// The same views at the e2e suite's size: test/e2e/screenshots.spec.ts.
import { join, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS } from '../playwright.config';
import { shootViews } from '../test/e2e/support/view-screenshots';
import { startDemoStack } from './demo-stack';

const ROOT = resolve(__dirname, '..');
const log = (line: string) => process.stderr.write(`${line}\n`);

function tenantsArg(): number {
  const i = process.argv.indexOf('--tenants');
  const n = i >= 0 ? Number(process.argv[i + 1]) : 10_000;
  if (!Number.isInteger(n) || n < 10) throw new Error('--tenants needs a whole number of at least 10');
  return n;
}

async function main(): Promise<void> {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) throw new Error('signing in needs the OS keychain: run under test/services/keyring/with-keyring.sh');
  const tenants = tenantsArg();
  const started = performance.now();
  const since = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
  const stack = await startDemoStack({ tenants, dir: join(ROOT, '.vault-console-dev', tenants === 10_000 ? 'screens-10k' : `screens-${tenants}`), log, progressEveryMs: 5_000 });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(60_000);
    await page.goto(stack.harness!.url);
    await page.getByTestId('session-sign-in').click();
    await page.getByTestId('sign-in-username').fill(stack.bao.users.admin.username);
    await page.getByTestId('sign-in-password').fill(stack.bao.users.admin.password);
    await page.getByTestId('sign-in-submit').click();
    // A busy machine (and a fresh keychain) can take a while.
    await page.getByTestId('session-user').waitFor({ timeout: 5 * 60_000 });
    log(`[shots] signed in (${since()})`);
    // The audit view starts tailing Vault's log (the seeding's entries too): let it read meanwhile.
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-view').waitFor();

    // The demo syncs by itself 5 s after sign-in; wait for the whole index.
    await page.getByTestId('nav-tenants').click();
    const want = `Index: ${tenants.toLocaleString('en-US')} tenants`;
    for (;;) {
      const text = (await page.getByTestId('index-age').textContent()) ?? '';
      if (text.startsWith(want) && !(await page.getByTestId('sync-progress').isVisible())) break;
      await page.waitForTimeout(5_000);
    }
    log(`[shots] index synced (${since()})`);

    await page.getByTestId('nav-health').click();
    await page.getByTestId('health-force-backup').click();
    await page.getByTestId('health-backup-notice').or(page.getByTestId('health-backup-error')).waitFor({ timeout: 15 * 60_000 });
    log(`[shots] ${(await page.getByTestId('health-backup-notice').or(page.getByTestId('health-backup-error')).textContent()) ?? ''} (${since()})`);

    const files = await shootViews(page, {
      outDir: join(ROOT, 'test-results', 'screenshots-10k'),
      detailsTenant: 't-000004',
      apiTenant: 't-000003',
      accentQueries: ['cafe ole', 'zurcher', 'muller'],
      log: (l) => log(`[shots] ${l}`),
    });
    log(`[shots] ${files.length} screenshots in test-results/screenshots-10k (${since()})`);
  } catch (err) {
    const page = browser.contexts()[0]?.pages()[0];
    await page?.screenshot({ path: join(ROOT, 'test-results', 'screenshots-10k-failure.png'), fullPage: true }).catch(() => undefined);
    throw err;
  } finally {
    await browser.close();
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  log(`[shots] failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(1);
});
