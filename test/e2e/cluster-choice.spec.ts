// Issue 17, item 1, in Chromium through the harness: on an install where nobody ever chose
// a cluster, saving a profile named "bad-host" (before "Default" by name) switched the
// console to it and signed the admin out. The active cluster is an explicit stored choice:
// saving or editing a profile never changes it, switching asks first, and the header always
// shows the cluster's name on its environment's colour. A harness of its own, on a fresh
// data directory, so no earlier spec has made a choice for this one.
import { expect, test, type Page } from '@playwright/test';
import { startHarness, type Harness } from '../harness/harness';
import { readE2eState } from './support/e2e-state';

const state = readE2eState();
let harness: Harness;

test.beforeAll(async () => {
  harness = await startHarness({ env: { VAULT_ADDR: state.openbao.addr }, build: 'never', keychainService: 'vault-console-e2e-cluster-choice' });
});

test.afterAll(async () => {
  await harness?.services.session.logout().catch(() => undefined);
  await harness?.close();
});

async function signIn(page: Page): Promise<void> {
  await page.getByTestId('session-sign-in').click();
  await page.getByTestId('sign-in-username').fill(state.openbao.users.admin.username);
  await page.getByTestId('sign-in-password').fill(state.openbao.users.admin.password);
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('session-sign-out')).toBeVisible();
}

test('saving "bad-host" neither switches the cluster nor signs the admin out; switching asks; the header names the cluster in its colour', async ({ page }) => {
  await page.goto(harness.url);
  // The header names the cluster and its environment (a Vault on this machine: development, green).
  await expect(page.getByTestId('active-cluster-name')).toHaveText('Default');
  await expect(page.getByTestId('active-cluster-environment')).toHaveText(/development/i);
  await expect(page.locator('header.app-header')).toHaveAttribute('data-environment', 'development');
  await signIn(page);

  // A new profile that sorts first by name.
  await page.getByTestId('nav-connections').click();
  await page.getByTestId('profile-new').click();
  await page.getByTestId('profile-name').fill('bad-host');
  await page.getByTestId('profile-address').fill('https://127.0.0.1:1');
  await page.getByTestId('profile-environment').selectOption('production');
  await page.getByTestId('profile-save').click();
  await expect(page.getByTestId('profile-row-bad-host')).toBeVisible();

  // Nothing moved: same cluster in the header and the health view, still signed in.
  await expect(page.getByTestId('active-cluster-name')).toHaveText('Default');
  await expect(page.getByTestId('vault-address')).toHaveText(state.openbao.addr);
  await expect(page.getByTestId('session-sign-out')).toBeVisible();
  await expect(page.getByTestId('profile-row-Default')).toContainText('active');
  await expect(page.getByTestId('profile-row-bad-host')).not.toContainText('active');

  // Editing it (another address, another environment) does not switch either.
  await page.getByTestId('profile-row-bad-host').getByRole('button', { name: 'Edit' }).click();
  await page.getByTestId('profile-address').fill('https://127.0.0.1:2');
  await page.getByTestId('profile-environment').selectOption('staging');
  await page.getByTestId('profile-save').click();
  await expect(page.getByTestId('profile-row-bad-host')).toContainText('127.0.0.1:2');
  await expect(page.getByTestId('active-cluster-name')).toHaveText('Default');
  await expect(page.getByTestId('session-sign-out')).toBeVisible();

  // A fresh page (the renderer starting again) reads the same stored choice.
  await page.goto(harness.url);
  await expect(page.getByTestId('active-cluster-name')).toHaveText('Default');
  await expect(page.getByTestId('session-sign-out')).toBeVisible();

  // Switching from the header asks first; Cancel (or Escape) keeps the cluster.
  await page.getByTestId('profile-select').selectOption({ label: 'bad-host (Staging)' });
  await expect(page.getByTestId('profile-switch-confirm')).toContainText('Switch to bad-host?');
  await page.getByTestId('profile-switch-confirm-cancel').click();
  await expect(page.getByTestId('profile-switch-confirm')).toHaveCount(0);
  await expect(page.getByTestId('active-cluster-name')).toHaveText('Default');
  await expect(page.getByTestId('profile-select')).toHaveValue('default');
  await page.getByTestId('profile-select').selectOption({ label: 'bad-host (Staging)' });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('active-cluster-name')).toHaveText('Default');

  // Confirmed, it switches: the header shows the other cluster on its colour.
  await page.getByTestId('profile-select').selectOption({ label: 'bad-host (Staging)' });
  await page.getByTestId('profile-switch-confirm-confirm').click();
  await expect(page.getByTestId('active-cluster-name')).toHaveText('bad-host');
  await expect(page.getByTestId('active-cluster-environment')).toHaveText(/staging/i);
  await expect(page.locator('header.app-header')).toHaveAttribute('data-environment', 'staging');
  await expect(page.getByTestId('vault-address')).toHaveText('https://127.0.0.1:2');

  // And back through the Connections view's "Use", which asks too; the admin's session resumes.
  await page.getByTestId('profile-activate-Default').click();
  await page.getByTestId('profile-switch-confirm-confirm').click();
  await expect(page.getByTestId('active-cluster-name')).toHaveText('Default');
  await expect(page.getByTestId('session-sign-out')).toBeVisible();
});

test('changing the trust settings of the signed-in cluster asks, then signs out first', async ({ page }) => {
  await page.goto(harness.url);
  await expect(page.getByTestId('active-cluster-name')).toHaveText('Default');
  if (!(await page.getByTestId('session-sign-out').isVisible())) await signIn(page);
  await page.getByTestId('nav-connections').click();
  await page.getByTestId('profile-row-Default').getByRole('button', { name: 'Edit' }).click();
  await page.getByTestId('profile-min-tls').selectOption('TLSv1.2');
  await page.getByTestId('profile-save').click();
  await expect(page.getByTestId('profile-signout-confirm')).toContainText('minimum TLS version');
  // Cancel: nothing saved, still signed in.
  await page.getByTestId('profile-signout-confirm-cancel').click();
  await expect(page.getByTestId('session-sign-out')).toBeVisible();
  await page.getByTestId('profile-save').click();
  await page.getByTestId('profile-signout-confirm-confirm').click();
  await expect(page.getByTestId('session-sign-in')).toBeVisible();
  await expect(page.getByTestId('profile-row-Default').locator('td').nth(3)).toContainText('1.2');
  await expect(page.getByTestId('active-cluster-name')).toHaveText('Default');
});
