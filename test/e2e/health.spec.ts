// The health dashboard and break-glass in Chromium against the real OpenBao (raft,
// 5 shares / threshold 3) and the real keychain.
import { expect, test, type Page } from '@playwright/test';
import { baoRequest, health } from '../services/openbao/openbao-api';
import { sealOpenBao, unsealOpenBao } from '../services/openbao/openbao';
import { waitFor } from '../services/openbao/process';
import { startHarness } from '../harness/harness';
import { readE2eState } from './support/e2e-state';
import { ensureSignedOut } from './support/session';

const state = readE2eState();
const url = (query = '') => `${state.harness.origin}/${query}#token=${state.harness.token}`;

async function signIn(page: Page, who: 'admin' | 'auditor' = 'admin') {
  await ensureSignedOut(page);
  await page.getByTestId('session-sign-in').click();
  await page.getByTestId('sign-in-username').fill(state.openbao.users[who].username);
  await page.getByTestId('sign-in-password').fill(state.openbao.users[who].password);
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('session-user')).toHaveText(new RegExp(who));
}

test.afterEach(async ({ page }) => {
  const out = page.getByTestId('session-sign-out');
  if (await out.isVisible().catch(() => false)) {
    await out.click();
    // The harness keeps one session for every page: wait until it is really gone.
    await expect(page.getByTestId('session-sign-in')).toBeVisible();
  }
  if ((await health(state.openbao.addr)).sealed) {
    await baoRequest(state.openbao.addr, 'PUT', 'sys/unseal', { body: { reset: true } });
    await unsealOpenBao(state.openbao);
  }
  await waitFor('OpenBao active', async () => (await health(state.openbao.addr)).status === 200, { timeoutMs: 30_000 });
});

test('signed out, the dashboard shows what Vault answers without a token and says "sign in for more"', async ({ page }) => {
  // A harness of its own: a fresh data dir, so no backup recorded by another spec shows here.
  const fresh = await startHarness({ env: { VAULT_ADDR: state.openbao.addr }, build: 'never', keychainService: 'vault-console-e2e-health' });
  try {
    await page.goto(fresh.url);
    await expect(page.getByTestId('card-seal-value')).toContainText('Unsealed');
    await expect(page.getByTestId('health-sign-in-for-more')).toContainText('Sign in for more');
    await expect(page.getByTestId('card-node-value')).toContainText(state.openbao.addr);
    await expect(page.getByTestId('card-storage-value')).toContainText('Raft');
    await expect(page.getByTestId('card-storage-unavailable')).toHaveText('Storage health: Sign in for more.');
    await expect(page.getByTestId('card-audit-unavailable')).toHaveText('Audit devices: Sign in for more.');
    // No backup in the catalog: red, never a hopeful green.
    await expect(page.getByTestId('card-last-backup-value')).toContainText('No backup recorded');
    await expect(page.getByTestId('card-last-backup')).toHaveAttribute('data-tone', 'red');
    await expect(page.getByTestId('card-backup-health-value')).toContainText('Critical');
    await expect(page.getByTestId('metrics-problem')).toHaveText('Sign in to see request metrics.');
    // Sealing needs a session.
    await expect(page.getByTestId('seal-open')).toBeDisabled();
  } finally {
    await fresh.close();
  }
});

test('signing in refreshes the dashboard at once, not at the next 10 s poll', async ({ page }) => {
  await page.goto(url());
  await ensureSignedOut(page);
  await expect(page.getByTestId('health-sign-in-for-more')).toBeVisible();
  await signIn(page);
  // Well inside the default 10 s poll: the refresh comes from the sign-in itself.
  await expect(page.getByTestId('health-sign-in-for-more')).toHaveCount(0, { timeout: 3_000 });
  await expect(page.getByTestId('card-storage-unavailable')).toHaveCount(0, { timeout: 3_000 });
});

test('signed in: HA nodes, raft autopilot health, audit devices (fewer than two warns) and the request chart', async ({ page }) => {
  await page.goto(url('?refreshMs=1000'));
  await signIn(page);
  await expect(page.getByTestId('card-storage-value')).toContainText('Raft (integrated storage): healthy');
  await expect(page.getByTestId('card-storage')).toHaveAttribute('data-tone', 'green');
  await expect(page.getByTestId('card-storage-detail')).toContainText('Autopilot: 1 server');
  await expect(page.getByTestId('ha-node')).toHaveCount(1);
  await expect(page.getByTestId('ha-node')).toHaveAttribute('data-active', 'true');
  await expect(page.getByTestId('card-audit-value')).toContainText('file (file/)');
  await expect(page.getByTestId('card-audit')).toHaveAttribute('data-tone', 'amber');
  await expect(page.getByTestId('card-audit-detail')).toContainText('Fewer than two audit devices');
  await expect(page.getByTestId('health-sign-in-for-more')).toHaveCount(0);
  // The sampler runs every 10 s in main; once signed in its next sample lands in the chart.
  await expect(page.getByTestId('metrics-count')).not.toHaveText(/^0 samples/, { timeout: 25_000 });
  await expect(page.getByTestId('metrics-problem')).toHaveCount(0);
  await expect(page.getByTestId('chart-rate').locator('svg.recharts-surface').first()).toBeVisible();
  await page.screenshot({ path: '/tmp/vc-health-signed-in.png', fullPage: true });
});

test('unseal through the UI with 3 of 5 shares; a wrong share gives a clear error and leaves progress as it was', async ({ page }) => {
  await page.goto(url('?refreshMs=1000'));
  await expect(page.getByTestId('card-seal-value')).toContainText('Unsealed');
  await sealOpenBao(state.openbao);
  await expect(page.getByTestId('card-seal')).toHaveAttribute('data-tone', 'red', { timeout: 5_000 });
  await expect(page.getByTestId('card-node')).toHaveAttribute('data-tone', 'red');

  const key = page.getByTestId('unseal-key');
  await expect(key).toHaveAttribute('type', 'password');
  await key.fill(state.openbao.unsealKeys[1]!);
  await page.getByTestId('unseal-submit').click();
  await expect(page.getByTestId('card-unseal-value')).toContainText(`1 of ${state.openbao.threshold}`);
  // The field is emptied as soon as the share is sent.
  await expect(key).toHaveValue('');

  await key.fill('definitely not a key share');
  await page.getByTestId('unseal-submit').click();
  await expect(page.getByTestId('unseal-error')).toContainText('not an unseal key share');
  await expect(page.getByTestId('unseal-error')).not.toContainText('definitely');
  await expect(page.getByTestId('card-unseal-value')).toContainText(`1 of ${state.openbao.threshold}`);
  expect((await baoRequest<{ progress: number }>(state.openbao.addr, 'GET', 'sys/seal-status')).progress).toBe(1);

  // Reset, then three shares.
  await page.getByTestId('unseal-reset').click();
  await expect(page.getByTestId('card-unseal-value')).toContainText(`0 of ${state.openbao.threshold}`);
  const shares = [state.openbao.unsealKeys[4]!, state.openbao.unsealKeys[2]!, state.openbao.unsealKeys[0]!];
  for (const [i, share] of shares.entries()) {
    await key.fill(share);
    await page.getByTestId('unseal-submit').click();
    // The panel goes away with the last share; until then the field is emptied and progress moves.
    if (i < shares.length - 1) {
      await expect(page.getByTestId('card-unseal-value')).toContainText(`${i + 1} of ${state.openbao.threshold}`);
      await expect(key).toHaveValue('');
    }
  }
  await expect(page.getByTestId('card-seal-value')).toContainText('Unsealed', { timeout: 10_000 });
  await expect(page.getByTestId('card-seal')).toHaveAttribute('data-tone', 'green');
  await expect(page.getByTestId('unseal-panel')).toHaveCount(0);
  // Shares never land in the DOM or in storage.
  const html = await page.content();
  for (const share of state.openbao.unsealKeys) expect(html).not.toContain(share);
  expect(await page.evaluate('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })')).toBe('{}{}');
});

test('an admin seals Vault from the UI after typing the cluster name', async ({ page }) => {
  await page.goto(url('?refreshMs=1000'));
  await signIn(page);
  await page.getByTestId('seal-open').click();
  const expected = (await page.getByTestId('seal-expected').textContent()) ?? '';
  expect(expected).not.toBe('');
  await page.getByTestId('seal-confirm').fill(`${expected}-typo`);
  await expect(page.getByTestId('seal-submit')).toBeDisabled();
  await page.getByTestId('seal-confirm').fill(expected);
  await page.getByTestId('seal-submit').click();
  await expect(page.getByTestId('card-seal-value')).toContainText('Sealed', { timeout: 5_000 });
  await expect(page.getByTestId('card-seal')).toHaveAttribute('data-tone', 'red');
  await expect(page.getByTestId('unseal-panel')).toBeVisible();
  expect((await health(state.openbao.addr)).sealed).toBe(true);
});
