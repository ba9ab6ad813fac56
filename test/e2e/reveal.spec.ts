// View Credentials end to end: Chromium through the browser harness, the real OpenBao,
// real TOTP codes (otplib, cross-checked with oathtool). Own harnesses so the test can
// read the harness clipboard and shorten the reveal window; a throwaway Vault user so
// failed attempts never trip Vault's own userpass lockout of the shared admin.
import { expect, test, type Page } from '@playwright/test';
import { connectionFromEnv } from '../../src/main/services/config/app-config';
import { seedTenants } from '../../src/main/services/seed/seeder';
import { createKvStore } from '../../src/main/services/vault/kv';
import { createVaultClient } from '../../src/main/services/vault/vault-client';
import { startHarness, type Harness } from '../harness/harness';
import { enrolThroughGrant } from '../integration/enrolment/enrolment-fixtures';
import { type CodeSource, createRevealUser, rootCaller } from '../integration/reveal/reveal-fixtures';
import { readE2eState } from './support/e2e-state';

const state = readE2eState();
const TENANT = 't-980001';
const call = rootCaller(state.openbao.addr, state.openbao.rootToken);
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

let user: { username: string; password: string };
let codes: CodeSource;
let smtp: { username: string; password: string; webmail_url: string };
let tenantName: string;
const harnesses: Harness[] = [];

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  const root = createVaultClient(connectionFromEnv({ VAULT_ADDR: state.openbao.addr }), state.openbao.rootToken);
  try {
    await seedTenants({ client: root, count: 2, startIndex: 980001, dkimPoolSize: 1, logger: quiet });
    const kv = createKvStore(root, 'tenants');
    smtp = (await kv.read<typeof smtp>(`${TENANT}/smtp/admin`))!.data;
    tenantName = (await kv.readMetadata(`${TENANT}/profile`))!.customMetadata.tenant_name!;
  } finally {
    root.close();
  }
  user = await createRevealUser(call, 'reveal-e2e');
  // The second factor, the only way there is: another admin's grant and a valid code
  // (the UI of that flow: enrolment.spec.ts).
  codes = (await enrolThroughGrant({ addr: state.openbao.addr, rootToken: state.openbao.rootToken, kvMount: 'tenants', grantee: user })).codes;
});

test.afterAll(async () => {
  for (const h of harnesses) await h.close();
});

async function harness(name: string, revealWindowMs?: number): Promise<Harness> {
  const h = await startHarness({
    env: { VAULT_ADDR: state.openbao.addr },
    build: 'never',
    keychainService: `vault-console-e2e-${name}`,
    ...(revealWindowMs ? { revealWindowMs } : {}),
  });
  harnesses.push(h);
  return h;
}

/** As the support engineer does it: find the tenant, open its details, "View Credentials" in the SMTP section. */
async function signInAndOpen(page: Page, h: Harness): Promise<void> {
  await page.goto(h.url);
  await page.getByTestId('nav-tenants').click();
  const form = page.getByTestId('sign-in');
  if (await form.isVisible().catch(() => false)) {
    await page.getByTestId('sign-in-username').fill(user.username);
    await page.getByTestId('sign-in-password').fill(user.password);
    await page.getByTestId('sign-in-submit').click();
  }
  await expect(page.getByTestId('tenants-view')).toBeVisible();
  // Each harness has its own local index: sync it once.
  if (await page.getByTestId('tenants-empty-index').isVisible().catch(() => false)) await page.getByTestId('sync').click();
  await page.getByTestId('tenant-search').fill(TENANT);
  await expect(page.getByTestId('result-count')).toHaveText('1 tenant', { timeout: 30_000 });
  await page.getByTestId('tenant-row').first().getByTestId('tenant-open').click();
  await page.getByTestId('smtp-actions').getByTestId('view-credentials').click();
  await expect(page.getByTestId('reveal-modal')).toBeVisible();
}

async function reauth(page: Page, password: string, code: string): Promise<void> {
  await page.getByTestId('reveal-password').fill(password);
  await page.getByTestId('reveal-code').fill(code);
  await page.getByTestId('reveal-verify').click();
}

/** The reveal tokens Vault holds for our user: short-lived userpass tokens (the session's lives 1 h). */
async function revealAccessors(): Promise<string[]> {
  const list = (await call('LIST', 'auth/token/accessors')).body as { data: { keys: string[] } };
  const out: string[] = [];
  for (const a of list.data.keys) {
    const r = await call('POST', 'auth/token/lookup-accessor', { accessor: a });
    const d = (r.body as { data?: { display_name: string; ttl: number } }).data;
    if (r.status === 200 && d && d.display_name === `userpass-${user.username}` && d.ttl <= 900 + 15) out.push(a);
  }
  return out;
}

test('refuse a wrong password and a wrong code, then reveal, copy, and wipe on close', async ({ page }) => {
  const h = await harness('reveal-a');
  await signInAndOpen(page, h);
  await expect(page.getByTestId('reveal-title')).toHaveText(`SMTP Admin Credentials - Tenant: ${tenantName}`);

  await reauth(page, 'not-my-password', await codes.wrong(0));
  await expect(page.getByTestId('reveal-error')).toHaveText('Wrong password.');
  await expect(page.getByTestId('reveal-password')).toHaveValue('');

  await reauth(page, user.password, await codes.wrong(1));
  await expect(page.getByTestId('reveal-error')).toHaveText('Wrong 2FA code.');
  await expect(page.getByTestId('reveal-credentials')).toHaveCount(0);

  await reauth(page, user.password, await codes.valid());
  await expect(page.getByTestId('reveal-title')).toHaveText(`SMTP Admin Credentials - Tenant: ${tenantName}`);
  await expect(page.getByTestId('reveal-countdown')).toHaveText(/^Credentials expire in 1[45]:\d\d$/);
  await expect(page.getByTestId('reveal-warning')).toHaveText("⚠️ These credentials provide full access to the tenant's email infrastructure. Handle with care.");
  await expect(page.getByTestId('reveal-username')).toHaveText(smtp.username);
  // Masked until the eye is pressed. The eye is an icon shipped with the app (inline SVG),
  // not an emoji that shows as a box where no emoji font is installed.
  await expect(page.getByTestId('reveal-password-value')).not.toContainText(smtp.password);
  const eye = page.getByTestId('toggle-password');
  await expect(eye.locator('svg[data-icon="eye"]')).toHaveCount(1);
  expect((await eye.textContent())!.trim()).toBe('');
  expect((await eye.locator('svg').boundingBox())!.width).toBeGreaterThanOrEqual(12);
  await expect(eye).toHaveAttribute('aria-label', 'Show password');
  await page.getByTestId('toggle-password').click();
  await expect(eye.locator('svg[data-icon="eye-off"]')).toHaveCount(1);
  await expect(eye).toHaveAttribute('aria-label', 'Hide password');
  await expect(page.getByTestId('reveal-password-value')).toHaveText(smtp.password);

  await page.getByTestId('copy-password').click();
  await expect(page.getByTestId('copy-password')).toHaveText('Copied ✓');
  expect(h.clipboard.readText()).toBe(smtp.password);
  expect(h.clipboard.lastWriteMarkedSecret).toBe(true);

  await page.getByTestId('reveal-webmail').click();
  await expect.poll(() => h.openedUrls).toContain(`${smtp.webmail_url}/`);

  const live = await revealAccessors();
  expect(live).toHaveLength(1);

  await page.getByTestId('reveal-close').click();
  await expect(page.getByTestId('reveal-modal')).toHaveCount(0);
  await expect.poll(() => h.clipboard.readText()).toBe('');
  // The re-auth token is revoked: Vault no longer knows it.
  await expect.poll(async () => (await call('POST', 'auth/token/lookup-accessor', { accessor: live[0] })).status).not.toBe(200);
  // Nothing of the credential is left in the page.
  expect(await page.content()).not.toContain(smtp.password);

  const rows = h.services.db.prepare("SELECT action, tenant, user, secret_type AS t, request_id AS req FROM audit_events WHERE source = 'console' ORDER BY id").all() as {
    action: string; tenant: string; user: string; t: string; req: string;
  }[];
  const smtpRows = rows.filter((r) => r.tenant === TENANT);
  expect(smtpRows.every((r) => r.user === user.username && r.t === 'smtp')).toBe(true);
  expect(smtpRows.some((r) => r.action === 'reveal')).toBe(true);
  expect(smtpRows.some((r) => r.req.startsWith('vc-reveal-copy-password-'))).toBe(true);
  expect(smtpRows.some((r) => r.req.startsWith('vc-reveal-close-user-'))).toBe(true);
});

test('with a shortened window the credential counts down, warns, and auto-closes, clearing the clipboard', async ({ page }) => {
  const h = await harness('reveal-b', 8_000);
  await signInAndOpen(page, h);
  await reauth(page, user.password, await codes.valid());
  await expect(page.getByTestId('reveal-countdown')).toHaveText(/^Credentials expire in 0:0\d$/);
  // Under a minute left: the warning shows.
  await expect(page.getByTestId('reveal-expiry-warning')).toBeVisible();
  await page.getByTestId('copy-username').click();
  await expect.poll(() => h.clipboard.readText()).toBe(smtp.username);
  const live = await revealAccessors();

  await expect(page.getByTestId('reveal-closed')).toHaveText('The credentials expired and were hidden.', { timeout: 20_000 });
  await expect(page.getByTestId('reveal-credentials')).toHaveCount(0);
  await expect.poll(() => h.clipboard.readText()).toBe('');
  for (const a of live) await expect.poll(async () => (await call('POST', 'auth/token/lookup-accessor', { accessor: a })).status).not.toBe(200);
  expect(await page.content()).not.toContain(smtp.username);
});

test('five failed attempts lock viewing credentials, even with the right password and code', async ({ page }) => {
  const h = await harness('reveal-c');
  await signInAndOpen(page, h);
  for (let i = 2; i < 6; i++) {
    await reauth(page, user.password, await codes.wrong(i));
    await expect(page.getByTestId('reveal-error')).toHaveText('Wrong 2FA code.');
  }
  await reauth(page, user.password, await codes.wrong(6));
  await expect(page.getByTestId('reveal-error')).toContainText('Too many failed attempts: viewing credentials is locked until');
  await expect(page.getByTestId('reveal-locked')).toBeVisible();
  await reauth(page, user.password, await codes.valid());
  await expect(page.getByTestId('reveal-error')).toContainText('locked until');
  await expect(page.getByTestId('reveal-credentials')).toHaveCount(0);
  const lockouts = h.services.db.prepare("SELECT COUNT(*) AS n FROM audit_events WHERE request_id LIKE 'vc-reveal-lockout-%'").get() as { n: number };
  expect(lockouts.n).toBe(1);
});
