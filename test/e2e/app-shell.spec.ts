// The app shell and the Health view against a real OpenBao, through the browser harness.
import { expect, test, type Page } from '@playwright/test';
import { baoRequest, health } from '../services/openbao/openbao-api';
import { sealOpenBao, unsealOpenBao } from '../services/openbao/openbao';
import { freeLoopbackPort } from '../services/openbao/process';
import { startHarness } from '../harness/harness';
import { readE2eState } from './support/e2e-state';
import { startDevOpenBao } from './support/dev-openbao';

const state = readE2eState();
const GREEN = 'rgb(30, 125, 50)';
const RED = 'rgb(179, 38, 30)';

/** The page URL with a harness-only query (kept before the #token fragment). */
function pageUrl(base: { origin: string; token: string }, query = ''): string {
  return `${base.origin}/${query}#token=${base.token}`;
}

function sealValue(page: Page) {
  return page.getByTestId('card-seal-value');
}

test.afterEach(async () => {
  // Never leave the shared server sealed for the next test, even when one fails.
  if ((await health(state.openbao.addr)).sealed) await unsealOpenBao(state.openbao);
});

test('the shell shows the Vault address, its version and "Unsealed" in green', async ({ page }) => {
  const reported = await health(state.openbao.addr);
  await page.goto(state.harness.url);

  await expect(page.getByTestId('product-name')).toHaveText('Vault Console');
  await expect(page.getByTestId('vault-address')).toHaveText(state.openbao.addr);
  // Health is the first view, and it works signed out.
  await expect(page.getByRole('navigation', { name: 'Views' }).getByRole('button').first()).toHaveText('Health');

  await expect(page.getByTestId('card-version-value')).toContainText(reported.version);
  const seal = sealValue(page);
  await expect(seal).toContainText('Unsealed');
  await expect(page.getByTestId('card-seal')).toHaveAttribute('data-tone', 'green');
  await expect(seal).toHaveCSS('color', GREEN);
  await expect(page.getByRole('region', { name: 'Vault Seal Status' })).toBeVisible();
  await expect(page.getByTestId('card-cluster-value')).not.toHaveText('—');
  await expect(page.getByTestId('card-cluster-detail')).toHaveText(/^[0-9a-f-]{36}$/);
  await expect(page.getByTestId('card-unseal')).toHaveCount(0);
  await expect(page.getByTestId('last-updated')).toHaveText(/^Last updated \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
  // The token left the address bar once the bridge read it.
  expect(page.url()).not.toContain('token=');

  await page.screenshot({ path: '/tmp/vc-health.png', fullPage: true });
});

test('sealing Vault turns the card red within one refresh, with unseal progress; unsealing turns it green', async ({ page }) => {
  await page.goto(pageUrl(state.harness, '?refreshMs=1000'));
  const seal = sealValue(page);
  await expect(seal).toContainText('Unsealed');

  await sealOpenBao(state.openbao);
  // One 1 s refresh plus the request; the default expect timeout would also allow a 10 s poll.
  await expect(seal).toContainText('Sealed', { timeout: 5_000 });
  await expect(seal).not.toContainText('Unsealed');
  await expect(page.getByTestId('card-seal')).toHaveAttribute('data-tone', 'red');
  await expect(seal).toHaveCSS('color', RED);
  await expect(page.getByTestId('card-unseal-value')).toContainText(`0 of ${state.openbao.threshold}`);
  await expect(page.getByTestId('card-node-value')).toContainText('—');
  await page.screenshot({ path: '/tmp/vc-health-sealed.png', fullPage: true });

  // One key share in: progress moves, still red. The manual Refresh button works too.
  await baoRequest(state.openbao.addr, 'PUT', 'sys/unseal', { body: { key: state.openbao.unsealKeys[0] } });
  await page.getByTestId('refresh').click();
  await expect(page.getByTestId('card-unseal-value')).toContainText(`1 of ${state.openbao.threshold}`);
  await expect(page.getByTestId('card-seal')).toHaveAttribute('data-tone', 'red');

  await unsealOpenBao({ ...state.openbao, unsealKeys: state.openbao.unsealKeys.slice(1) });
  await expect(seal).toContainText('Unsealed', { timeout: 5_000 });
  await expect(page.getByTestId('card-seal')).toHaveAttribute('data-tone', 'green');
  await expect(page.getByTestId('card-unseal')).toHaveCount(0);
});

test('an address where nothing listens shows "Unreachable" in red with the reason', async ({ page }) => {
  const port = await freeLoopbackPort();
  const harness = await startHarness({ env: { VAULT_ADDR: `http://127.0.0.1:${port}` }, build: 'never' });
  try {
    await page.goto(harness.url);
    await expect(page.getByTestId('card-seal-value')).toContainText('Unreachable');
    await expect(page.getByTestId('card-seal')).toHaveAttribute('data-tone', 'red');
    await expect(page.getByTestId('card-seal-detail')).toContainText('ECONNREFUSED');
    await expect(page.getByTestId('card-version-value')).toContainText('—');
  } finally {
    await harness.close();
  }
});

test('a Vault that goes away turns from green to "Unreachable", never a stale green', async ({ page }) => {
  const dev = await startDevOpenBao();
  const harness = await startHarness({ env: { VAULT_ADDR: dev.addr }, build: 'never' });
  try {
    await page.goto(pageUrl(harness, '?refreshMs=1000'));
    await expect(page.getByTestId('card-seal-value')).toContainText('Unsealed');
    await dev.stop();
    await expect(page.getByTestId('card-seal-value')).toContainText('Unreachable', { timeout: 5_000 });
    await expect(page.getByTestId('card-seal')).toHaveAttribute('data-tone', 'red');
    await expect(page.getByTestId('card-version-value')).toContainText('—');
    await expect(page.getByTestId('card-node-value')).toContainText('—');
  } finally {
    await harness.close();
    await dev.stop();
  }
});
