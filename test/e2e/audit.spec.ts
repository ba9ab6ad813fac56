// The audit viewer in Chromium against the real OpenBao: the live stream picks up
// new entries of Vault's file audit device (found through sys/audit) within a
// refresh, filters narrow the table, failed sign-ins raise a red alert that opens
// its events, and an export shows its SHA-256.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { readE2eState } from './support/e2e-state';

const state = readE2eState();
const bao = state.openbao;

async function baoCall(method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers['X-Vault-Token'] = opts.token;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  return fetch(`${bao.addr}/v1/${path}`, { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
}

async function signInAsAdmin(page: Page) {
  await page.goto(state.harness.url);
  const out = page.getByTestId('session-sign-out');
  if (await out.isVisible()) return;
  await page.getByTestId('session-sign-in').click();
  await page.getByTestId('sign-in-username').fill(bao.users.admin.username);
  await page.getByTestId('sign-in-password').fill(bao.users.admin.password);
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('session-user')).toHaveText(/admin/);
}

test.beforeAll(async () => {
  // The console's audited request header (an operator's one-time setup).
  const r = await baoCall('POST', 'sys/config/auditing/request-headers/x-vault-console-action', { token: bao.rootToken, body: { hmac: false } });
  expect(r.status).toBe(204);
  const u = await baoCall('POST', 'auth/userpass/users/e2e-intruder', { token: bao.rootToken, body: { password: 'right-password-1', token_policies: 'default' } });
  expect(u.status).toBe(204);
});

test('the live stream shows new Vault audit entries, filters narrow it, an alert opens its events, and an export shows its SHA-256', async ({ page }) => {
  await signInAsAdmin(page);
  await page.getByTestId('nav-audit').click();
  await expect(page.getByTestId('audit-view')).toBeVisible();
  await expect(page.getByTestId('audit-stream-state')).toContainText('Live');

  // Six failed sign-ins for one user from one address: a red alert.
  for (let i = 0; i < 6; i++) await baoCall('POST', 'auth/userpass/login/e2e-intruder', { body: { password: `wrong-${i}` } });
  // A tenant secret written and read by the root token, one read tagged as a console reveal.
  await baoCall('POST', `${'tenants'}/data/t-000777/smtp/admin`, { token: bao.rootToken, body: { data: { password: 'x' } } });
  await baoCall('GET', 'tenants/data/t-000777/smtp/admin', { token: bao.rootToken, headers: { 'X-Vault-Console-Action': 'action=reveal;req=e2e-1' } });

  // Within one poll (5 s) plus one refresh (5 s), the rows are in the table.
  const rows = page.getByTestId('audit-table').getByTestId('audit-row');
  await expect(rows.filter({ hasText: 'e2e-intruder' }).first()).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('audit-alert-failed-auth-user')).toContainText('e2e-intruder');

  // Filters: action, tenant, user, secret type, text, date range.
  await page.getByTestId('audit-filter-action').selectOption('failed-login');
  await expect(rows.first()).toContainText('failed-login');
  await expect(page.getByTestId('audit-table').getByTestId('audit-cell-action').filter({ hasNotText: 'failed-login' })).toHaveCount(0);
  await page.getByTestId('audit-filter-action').selectOption('');
  await page.getByTestId('audit-filter-tenant').selectOption('t-000777');
  await expect(page.getByTestId('audit-table').getByTestId('audit-cell-tenant').filter({ hasNotText: 't-000777' })).toHaveCount(0);
  await expect(rows.filter({ hasText: 'reveal' })).toHaveCount(1);
  await page.getByTestId('audit-filter-type').selectOption('smtp');
  await expect(rows.filter({ hasText: 'reveal' })).toHaveCount(1);
  await page.getByTestId('audit-filter-type').selectOption('dkim');
  await expect(rows).toHaveCount(0);
  await page.getByTestId('audit-filter-type').selectOption('');
  await page.getByTestId('audit-filter-tenant').selectOption('');
  await page.getByTestId('audit-filter-user').selectOption('e2e-intruder');
  await expect(page.getByTestId('audit-table').getByTestId('audit-cell-user').filter({ hasNotText: 'e2e-intruder' })).toHaveCount(0);
  await page.getByTestId('audit-filter-user').selectOption('');
  await page.getByTestId('audit-filter-text').fill('t-000777');
  await page.getByTestId('audit-filter-text').press('Enter');
  await expect(rows.filter({ hasText: 'reveal' })).toHaveCount(1);
  await page.getByTestId('audit-filter-from').fill('2000-01-01');
  await page.getByTestId('audit-filter-to').fill('2000-01-02');
  await expect(rows).toHaveCount(0);
  await expect(page.getByTestId('audit-count')).toContainText('0 events');
  await page.getByTestId('audit-filter-from').fill('');
  await page.getByTestId('audit-filter-to').fill('');
  await expect(rows.filter({ hasText: 'reveal' })).toHaveCount(1);

  // Pause: new entries do not appear until resumed.
  await page.getByTestId('audit-filter-text').fill('');
  await page.getByTestId('audit-filter-text').press('Enter');
  await page.getByTestId('audit-pause').click();
  await expect(page.getByTestId('audit-stream-state')).toContainText('Paused');
  await baoCall('GET', 'tenants/data/t-000778/ssh/admin', { token: bao.rootToken });
  await page.waitForTimeout(11_000);
  await expect(rows.filter({ hasText: 't-000778' })).toHaveCount(0);
  await page.getByTestId('audit-pause').click();
  await expect(rows.filter({ hasText: 't-000778' }).first()).toBeVisible();

  // The alert links to its events.
  await page.getByTestId('audit-alert-failed-auth-user').filter({ hasText: 'e2e-intruder' }).click();
  await expect(page.getByTestId('audit-alert-table').getByTestId('audit-row')).toHaveCount(6);

  // Export: the SHA-256 shown is the file's.
  await page.getByTestId('audit-filter-tenant').selectOption('t-000777');
  await page.getByTestId('audit-export-csv').click();
  const sha = (await page.getByTestId('audit-export-sha256').textContent()) ?? '';
  expect(sha).toMatch(/^[0-9a-f]{64}$/);
  const path = ((await page.getByTestId('audit-export-result').locator('code').first().textContent()) ?? '').trim();
  expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(sha);
  expect(readFileSync(`${path}.sha256`, 'utf8')).toContain(sha);
  // The page never shows a token.
  expect(await page.content()).not.toMatch(/\bs\.[A-Za-z0-9]{20,}/);
});
