// Connection profiles in Chromium: create one, see the TLS 1.2 warning, switch to
// it and back, and every view follows the active profile.
import { expect, test } from '@playwright/test';
import { readE2eState } from './support/e2e-state';

const state = readE2eState();

test('a new profile with TLS 1.2 shows the warning; switching profiles switches the health view', async ({ page }) => {
  await page.goto(state.harness.url);
  await page.getByTestId('nav-connections').click();
  await page.getByTestId('profile-new').click();
  await page.getByTestId('profile-name').fill('Legacy DC');
  await page.getByTestId('profile-address').fill('https://127.0.0.1:1');
  await page.getByTestId('profile-min-tls').selectOption('TLSv1.2');
  await expect(page.getByTestId('profile-tls12-warning')).toContainText('TLS 1.3');
  await page.getByTestId('profile-save').click();
  await expect(page.getByTestId('profile-row-Legacy DC')).toContainText('TLS 1.2 allowed');

  // Switch from the header (after confirming); the health view now shows the other (unreachable) cluster.
  await page.getByTestId('profile-select').selectOption({ label: 'Legacy DC (Production)' });
  await page.getByTestId('profile-switch-confirm-confirm').click();
  await expect(page.getByTestId('profile-warning')).toContainText('TLS 1.2');
  await page.getByTestId('nav-health').click();
  await expect(page.getByTestId('vault-address')).toHaveText('https://127.0.0.1:1');
  await expect(page.getByTestId('card-seal-value')).toContainText('Unreachable');

  // And back.
  await page.getByTestId('profile-select').selectOption({ label: 'Default (Development)' });
  await page.getByTestId('profile-switch-confirm-confirm').click();
  await expect(page.getByTestId('vault-address')).toHaveText(state.openbao.addr);
  await expect(page.getByTestId('card-seal-value')).toContainText('Unsealed');

  // Clean up: delete the extra profile.
  await page.getByTestId('nav-connections').click();
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('profile-delete-Legacy DC').click();
  await expect(page.getByTestId('profile-row-Legacy DC')).toHaveCount(0);
});

test('a bad address is refused with a clear message and nothing is saved', async ({ page }) => {
  await page.goto(state.harness.url);
  await page.getByTestId('nav-connections').click();
  await page.getByTestId('profile-new').click();
  await page.getByTestId('profile-name').fill('Broken');
  await page.getByTestId('profile-address').fill('vault.example.com:8200');
  await page.getByTestId('profile-save').click();
  await expect(page.getByTestId('profile-error')).toContainText('must be http or https');
  await expect(page.getByTestId('profile-row-Broken')).toHaveCount(0);
});
