// Second-factor enrolment end to end (issue 17, item 4): Chromium through two harnesses
// (two admins, two consoles), the real OpenBao and its TOTP engine, real codes. The
// password alone enrols nothing; another admin grants; the user scans, and only a code
// Vault accepts makes the factor active; then credentials can be viewed.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { connectionFromEnv } from '../../src/main/services/config/app-config';
import { seedTenants } from '../../src/main/services/seed/seeder';
import { createVaultClient } from '../../src/main/services/vault/vault-client';
import { startHarness, type Harness } from '../harness/harness';
import { CodeSource, createRevealUser, rootCaller, secretOf } from '../integration/reveal/reveal-fixtures';
import { readE2eState } from './support/e2e-state';

const state = readE2eState();
const TENANT = 't-981001';
const call = rootCaller(state.openbao.addr, state.openbao.rootToken);
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
let alice: { username: string; password: string };
let bob: { username: string; password: string };
const harnesses: Harness[] = [];

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  const root = createVaultClient(connectionFromEnv({ VAULT_ADDR: state.openbao.addr }), state.openbao.rootToken);
  try {
    await seedTenants({ client: root, count: 1, startIndex: 981001, dkimPoolSize: 1, logger: quiet });
  } finally {
    root.close();
  }
  [alice, bob] = await Promise.all([createRevealUser(call, 'e2e-alice'), createRevealUser(call, 'e2e-bob')]);
});

test.afterAll(async () => {
  for (const h of harnesses) await h.close();
});

async function consoleFor(browser: Browser, name: string, who: { username: string; password: string }): Promise<{ page: Page; h: Harness }> {
  const h = await startHarness({ env: { VAULT_ADDR: state.openbao.addr }, build: 'never', keychainService: `vault-console-e2e-enrol-${name}` });
  harnesses.push(h);
  const page = await (await browser.newContext()).newPage();
  await page.goto(h.url);
  await page.getByTestId('nav-enrolment').click();
  await page.getByTestId('sign-in-username').fill(who.username);
  await page.getByTestId('sign-in-password').fill(who.password);
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('enrolment-view')).toBeVisible();
  return { page, h };
}

let a: { page: Page; h: Harness };
let b: { page: Page; h: Harness };

test('with the password alone nothing can be enrolled: no self-grant, no password form, a clear way forward', async ({ browser }) => {
  a = await consoleFor(browser, 'alice', alice);
  await expect(a.page.getByTestId('enrolment-status')).toHaveText(/no active second factor/);
  await expect(a.page.getByTestId('enrolment-no-grants')).toContainText(`ask another admin to grant you an enrolment`);
  await expect(a.page.getByTestId('enrolment-no-grants')).toContainText(alice.username);

  // Granting yourself: the button says why it will not, and main refuses it anyway.
  await a.page.getByTestId('grant-username').fill(alice.username);
  await expect(a.page.getByTestId('grant-submit')).toBeDisabled();
  await expect(a.page.getByTestId('grant-submit-reason')).toHaveText('A second factor is granted by another admin: you cannot grant one to yourself.');
  await expect(a.page.getByTestId('grant-submit')).toHaveAttribute('aria-describedby', /.+/);
  const bypass = await a.page.evaluate(async (u) => {
    const bridge = (globalThis as unknown as Record<string, { invoke(c: string, i: unknown): Promise<unknown> }>).vaultConsole!;
    return bridge.invoke('enrolment:grant', { username: u, validMinutes: 60 });
  }, alice.username);
  expect(bypass).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
  // The old password-only enrolment channel is gone.
  const old = await a.page.evaluate(async (pw) => {
    const bridge = (globalThis as unknown as Record<string, { invoke(c: string, i: unknown): Promise<unknown> }>).vaultConsole!;
    return bridge.invoke('reveal:enroll-totp', { password: pw });
  }, alice.password);
  expect(old).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });

  // View Credentials: it asks for the second factor, and offers no way to make one with a password.
  await a.page.getByTestId('nav-tenants').click();
  await a.page.getByTestId('sync').click();
  await a.page.getByTestId('tenant-search').fill(TENANT);
  await expect(a.page.getByTestId('result-count')).toHaveText('1 tenant', { timeout: 30_000 });
  await a.page.getByTestId('tenant-row').first().getByTestId('tenant-open').click();
  await a.page.getByTestId('smtp-actions').getByTestId('view-credentials').click();
  await expect(a.page.getByTestId('reveal-needs-2fa')).toBeVisible();
  await expect(a.page.getByTestId('reveal-needs-2fa')).toContainText('Another admin grants it');
  await expect(a.page.getByTestId('reveal-modal').locator('input[type="password"]')).toHaveCount(0);
  await a.page.getByTestId('reveal-cancel').click();
});

test('another admin grants; the new authenticator must prove itself with a code; then credentials can be viewed', async ({ browser }) => {
  test.setTimeout(120_000);
  b = await consoleFor(browser, 'bob', bob);
  await b.page.getByTestId('grant-username').fill(alice.username);
  await b.page.getByTestId('grant-valid').selectOption('60');
  await b.page.getByTestId('grant-submit').click();
  await expect(b.page.getByTestId('grant-result')).toContainText(`Granted to ${alice.username} until`);
  // Bob never sees Alice's seed: nothing of a key or a QR code on his screen.
  expect(await b.page.content()).not.toContain('otpauth://');

  await a.page.getByTestId('nav-enrolment').click();
  const row = a.page.getByTestId('enrolment-grant-row');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(bob.username);
  await expect(row).toHaveAttribute('data-state', 'ready');
  await row.getByTestId('enrolment-open').click();
  await expect(a.page.getByTestId('enrolment-qr')).toBeVisible();
  const codes = new CodeSource(secretOf((await a.page.getByTestId('enrolment-url').textContent())!));

  // A bad scan: the code is refused and nothing becomes active; the QR code stays to scan again.
  await a.page.getByTestId('enrolment-code').fill(await codes.wrong(0));
  await a.page.getByTestId('enrolment-confirm').click();
  await expect(a.page.getByTestId('enrolment-error')).toContainText('Wrong code');
  await expect(a.page.getByTestId('enrolment-qr')).toBeVisible();
  await expect(a.page.getByTestId('enrolment-status')).toHaveText(/no active second factor/);

  await a.page.getByTestId('enrolment-code').fill(await codes.valid());
  await a.page.getByTestId('enrolment-confirm').click();
  await expect(a.page.getByTestId('enrolment-status')).toHaveText(new RegExp(`active: granted by ${bob.username}`));
  await expect(a.page.getByTestId('enrolment-qr')).toHaveCount(0);
  expect(await a.page.content()).not.toContain('otpauth://');
  await expect(a.page.getByTestId('enrolment-grant-row')).toHaveAttribute('data-state', 'active');

  // Now the reveal asks for password and code, and shows the credential.
  await a.page.getByTestId('nav-tenants').click();
  await a.page.getByTestId('tenant-search').fill(TENANT);
  // The details may still be open from before (the row's button toggles them: Details / Hide).
  const open = a.page.getByTestId('tenant-row').first().getByTestId('tenant-open');
  if ((await open.getAttribute('aria-expanded')) !== 'true') await open.click();
  await a.page.getByTestId('smtp-actions').getByTestId('view-credentials').click();
  await a.page.getByTestId('reveal-password').fill(alice.password);
  await a.page.getByTestId('reveal-code').fill(await codes.valid());
  await a.page.getByTestId('reveal-verify').click();
  await expect(a.page.getByTestId('reveal-credentials')).toBeVisible();
  await a.page.getByTestId('reveal-close').click();

  // Both consoles recorded their side.
  const grantRows = b.h.services.db.prepare("SELECT action, status FROM audit_events WHERE source = 'console' AND path LIKE 'enrolment/%'").all();
  expect(grantRows).toEqual([{ action: 'enrol-grant', status: 'ok' }]);
  const enrolRows = a.h.services.db.prepare("SELECT action, status FROM audit_events WHERE source = 'console' AND path LIKE 'enrolment/%' ORDER BY id").all();
  expect(enrolRows).toEqual([
    { action: 'enrol', status: 'pending' },
    { action: 'enrol', status: 'denied' },
    { action: 'enrol', status: 'ok' },
  ]);
});
