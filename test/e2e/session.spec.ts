// Sign-in, resume and sign-out in Chromium against the real OpenBao and the real
// keychain (the whole Playwright run is inside with-keyring.sh).
import { expect, test, type Page } from '@playwright/test';
import { startHarness } from '../harness/harness';
import { baoRequest } from '../services/openbao/openbao-api';
import { readE2eState } from './support/e2e-state';
import { ensureSignedOut } from './support/session';

const state = readE2eState();

async function openSignIn(page: Page) {
  await page.goto(state.harness.url);
  await ensureSignedOut(page);
  await page.getByTestId('session-sign-in').click();
  await expect(page.getByTestId('sign-in')).toBeVisible();
}

async function signOutIfNeeded(page: Page) {
  const out = page.getByTestId('session-sign-out');
  if (await out.isVisible()) await out.click();
}

test.afterEach(async ({ page }) => {
  await signOutIfNeeded(page);
});

test('a wrong password gives a clear error and keeps the user signed out', async ({ page }) => {
  await openSignIn(page);
  await page.getByTestId('sign-in-username').fill(state.openbao.users.admin.username);
  await page.getByTestId('sign-in-password').fill('definitely-wrong');
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('sign-in-error')).toHaveText('Wrong username or password.');
  // The password field is emptied once sent.
  await expect(page.getByTestId('sign-in-password')).toHaveValue('');
  await expect(page.getByTestId('session-badge')).toHaveCount(0);
});

test('signs in with userpass, survives a reload (resumed from the keychain), and signs out', async ({ page }) => {
  await openSignIn(page);
  await page.getByTestId('sign-in-username').fill(state.openbao.users.admin.username);
  await page.getByTestId('sign-in-password').fill(state.openbao.users.admin.password);
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('session-user')).toHaveText(/admin/);
  await expect(page.getByTestId('sign-in')).toHaveCount(0);

  // The page never holds the token: nothing token-shaped in the DOM or storage.
  const html = await page.content();
  expect(html).not.toMatch(/\bs\.[A-Za-z0-9]{20,}/);
  expect(await page.evaluate('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })')).toBe('{}{}');

  await page.goto(state.harness.url);
  await expect(page.getByTestId('session-user')).toHaveText(/admin/);

  await page.getByTestId('session-sign-out').click();
  await expect(page.getByTestId('session-sign-in')).toBeVisible();
  await page.goto(state.harness.url);
  await expect(page.getByTestId('session-sign-in')).toBeVisible();
});

test('signs in with a token', async ({ page }) => {
  // A throwaway admin token: signing out revokes it, and other specs still need the root token.
  const created = await baoRequest<{ auth: { client_token: string } }>(state.openbao.addr, 'POST', 'auth/token/create', {
    token: state.openbao.rootToken,
    body: { policies: ['vault-console-admin'], display_name: 'e2e-token', ttl: '1h' },
  });
  await openSignIn(page);
  await page.getByTestId('method-token').click();
  await page.getByTestId('sign-in-token').fill(created.auth.client_token);
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('session-user')).toHaveText('token-e2e-token');
  // The login call itself succeeded (not only the session event): no error shown.
  await expect(page.getByTestId('sign-in-error')).toHaveCount(0);
  const info = await page.evaluate("window.vaultConsole.invoke('session:info', {})");
  expect(info).toMatchObject({ ok: true, value: { signedIn: true, method: 'token', displayName: 'token-e2e-token', renewable: true } });
});

test('with no keychain, sign-in is refused with the reason', async ({ page }) => {
  // A second harness whose keychain adapter sees no D-Bus session, as on a machine without one.
  const noKeychain = await startHarness({ env: { VAULT_ADDR: state.openbao.addr }, build: 'never', keychainEnv: {} });
  try {
    await page.goto(noKeychain.url);
    await page.getByTestId('session-sign-in').click();
    await page.getByTestId('sign-in-username').fill(state.openbao.users.admin.username);
    await page.getByTestId('sign-in-password').fill(state.openbao.users.admin.password);
    await page.getByTestId('sign-in-submit').click();
    await expect(page.getByTestId('sign-in-error')).toContainText('OS keychain unavailable');
    await expect(page.getByTestId('session-badge')).toHaveCount(0);
  } finally {
    await noKeychain.close();
  }
});
