// The audit viewer in Chromium against the real OpenBao: the live stream picks up
// new entries of Vault's file audit device (found through sys/audit) within a
// refresh, filters narrow the table, failed sign-ins raise a red alert that opens
// its events, and an export shows its SHA-256. Then: deletion approvals between two
// admins, alert thresholds, an import for offline review, and month archives.
import { createHash, randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { choose } from './support/audit-picks';
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
  // The page resumes a session kept in main: wait until it shows which state it is in.
  await expect(out.or(page.getByTestId('session-sign-in'))).toBeVisible();
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

  // A delete labelled "rotate": Vault's record (delete) is the action, the label sits beside it, and it is red twice.
  await baoCall('POST', 'tenants/data/t-000779/ssh/admin', { token: bao.rootToken, body: { data: { k: 'x' } } });
  await baoCall('DELETE', 'tenants/metadata/t-000779/ssh/admin', { token: bao.rootToken, headers: { 'X-Vault-Console-Action': 'action=rotate;req=e2e-2' } });

  // Within one poll (5 s) plus one refresh (5 s), the rows are in the table.
  const rows = page.getByTestId('audit-table').getByTestId('audit-row');
  await expect(rows.filter({ hasText: 'e2e-intruder' }).first()).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('audit-alert-failed-auth-user')).toContainText('e2e-intruder');
  await expect(page.getByTestId('audit-alert-header-contradiction').filter({ hasText: 'Header says "rotate" but Vault did delete' })).toBeVisible();
  await expect(page.getByTestId('audit-alert-delete-without-approval').filter({ hasText: 't-000779/ssh/admin' })).toBeVisible();
  const lie = page.getByTestId('audit-table').locator('[data-testid="audit-row"][data-conflict="true"]').filter({ hasText: 't-000779' });
  await expect(lie.first()).toBeVisible();
  await expect(lie.first().getByTestId('audit-cell-action')).toHaveText('delete');
  await expect(lie.first().getByTestId('audit-cell-console')).toHaveText('⚠ rotate');

  // Filters: action, tenant, user, secret type, text, date range.
  await page.getByTestId('audit-filter-action').selectOption('failed-login');
  await expect(rows.first()).toContainText('failed-login');
  await expect(page.getByTestId('audit-table').getByTestId('audit-cell-action').filter({ hasNotText: 'failed-login' })).toHaveCount(0);
  await page.getByTestId('audit-filter-action').selectOption('');
  await page.getByTestId('audit-filter-tenant').selectOption('t-000777');
  await expect(page.getByTestId('audit-table').getByTestId('audit-cell-tenant').filter({ hasNotText: 't-000777' })).toHaveCount(0);
  // The reveal label is an annotation: Vault's record of it is a read.
  await expect(rows.filter({ hasText: 'reveal' })).toHaveCount(1);
  await expect(rows.filter({ hasText: 'reveal' }).getByTestId('audit-cell-action')).toHaveText('read');
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

  // Pause: new entries do not appear until resumed, not even when the filter changes while
  // paused or when a refresh was on its way as Pause was clicked (the search is cleared and
  // the stream paused at once, on purpose).
  await page.getByTestId('audit-filter-text').fill('');
  await page.getByTestId('audit-filter-text').press('Enter');
  await page.getByTestId('audit-pause').click();
  await expect(page.getByTestId('audit-stream-state')).toContainText('Paused');
  await expect(page.getByTestId('audit-paused-at')).toContainText('nothing newer shown');
  // Vault's clock (this machine's) must be past the pause before the entry is made.
  await page.waitForTimeout(50);
  await baoCall('GET', 'tenants/data/t-000778/ssh/admin', { token: bao.rootToken });
  await page.waitForTimeout(11_000);
  await expect(rows.filter({ hasText: 't-000778' })).toHaveCount(0);
  await page.getByTestId('audit-filter-text').fill('t-000778');
  await page.getByTestId('audit-filter-text').press('Enter');
  await expect(page.getByTestId('audit-count')).toContainText('0 events');
  await expect(rows).toHaveCount(0);
  await page.getByTestId('audit-pause').click();
  await expect(page.getByTestId('audit-paused-at')).toHaveCount(0);
  await expect(rows.filter({ hasText: 't-000778' }).first()).toBeVisible();
  await page.getByTestId('audit-filter-text').fill('');
  await page.getByTestId('audit-filter-text').press('Enter');

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

async function signIn(page: Page, username: string, password: string) {
  if (await page.getByTestId('session-sign-out').isVisible()) {
    await page.getByTestId('session-sign-out').click();
    await expect(page.getByTestId('session-sign-in')).toBeVisible();
  }
  await page.getByTestId('session-sign-in').click();
  await page.getByTestId('sign-in-username').fill(username);
  await page.getByTestId('sign-in-password').fill(password);
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('session-user')).toContainText(username);
}

const SECOND_ADMIN = { username: 'e2e-admin-b', password: 'second-admin-password-1' };

test.describe('deletion approvals', () => {
  test.beforeAll(async () => {
    const u = await baoCall('POST', `auth/userpass/users/${SECOND_ADMIN.username}`, { token: bao.rootToken, body: { password: SECOND_ADMIN.password, token_policies: 'vault-console-admin' } });
    expect(u.status).toBe(204);
    for (const p of ['t-000950/dkim/mail.example.org', 't-000951/smtp/admin']) {
      expect((await baoCall('POST', `tenants/data/${p}`, { token: bao.rootToken, body: { data: { value: 'x' } } })).status).toBe(200);
    }
  });

  test('a request, a second admin approves (never the requester, who cannot approve his own), then the delete runs; a delete without approval is red', async ({ page }) => {
    test.setTimeout(120_000);
    const path = 't-000950/dkim/mail.example.org';
    await signInAsAdmin(page);
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-tab-approvals').click();

    // Bad input gets a clear error and sends nothing.
    await page.getByTestId('approval-path').fill('sys/policies/acl/default');
    await page.getByTestId('approval-reason').fill('cleanup');
    await page.getByTestId('approval-request-submit').click();
    await expect(page.getByTestId('approval-error')).toContainText('Name a tenant secret');
    await page.getByTestId('approval-path').fill(path);
    await page.getByTestId('approval-reason').fill('x');
    await page.getByTestId('approval-request-submit').click();
    await expect(page.getByTestId('approval-error')).toContainText('Give a reason');

    await page.getByTestId('approval-reason').fill('tenant offboarded (e2e)');
    await page.getByTestId('approval-request-submit').click();
    await expect(page.getByTestId('approval-notice')).toContainText('a second admin must approve');
    const row = page.getByTestId('approval-row').filter({ hasText: path });
    await expect(row).toHaveAttribute('data-status', 'pending');
    const id = (await row.getAttribute('data-approval-id'))!;
    // The requester cannot approve: the button says why, and main refuses it even if the UI is bypassed.
    await expect(row.getByTestId('approval-approve')).toBeDisabled();
    await expect(row.getByTestId('approval-approve-reason')).toHaveText('You requested this deletion: a second admin must approve it.');
    const bypass = await page.evaluate(async (approvalId) => {
      const bridge = (globalThis as unknown as Record<string, { invoke(c: string, i: unknown): Promise<{ ok: boolean; error?: { code: string } }> }>).vaultConsole!;
      return bridge.invoke('audit:approve-delete', { id: approvalId });
    }, id);
    expect(bypass).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });

    // The second admin approves; as the approver, they cannot also run the delete.
    await signIn(page, SECOND_ADMIN.username, SECOND_ADMIN.password);
    await page.getByTestId('audit-tab-approvals').click();
    const rowB = page.getByTestId('approval-row').filter({ hasText: path });
    await rowB.getByTestId('approval-approve').click();
    await expect(rowB).toHaveAttribute('data-status', 'approved');
    await expect(rowB.getByTestId('approval-status')).toContainText(`by ${SECOND_ADMIN.username}`);
    await expect(rowB.getByTestId('approval-delete')).toBeDisabled();

    // The requester runs the delete under the approval.
    await signIn(page, bao.users.admin.username, bao.users.admin.password);
    await page.getByTestId('audit-tab-approvals').click();
    const rowA = page.getByTestId('approval-row').filter({ hasText: path });
    await rowA.getByTestId('approval-delete').click();
    await rowA.getByTestId('approval-delete-confirm').click();
    await expect(rowA).toHaveAttribute('data-status', 'used');
    await expect(page.getByTestId('approval-notice')).toContainText(`Deleted ${path}`);
    expect((await baoCall('GET', `tenants/metadata/${path}`, { token: bao.rootToken })).status).toBe(404);

    // Straight to Vault, no approval: red, and only that one.
    expect((await baoCall('DELETE', 'tenants/metadata/t-000951/smtp/admin', { token: bao.rootToken })).status).toBe(204);
    await page.getByTestId('audit-tab-events').click();
    const deleteAlerts = page.getByTestId('audit-alert-delete-without-approval');
    await expect(deleteAlerts.filter({ hasText: 't-000951/smtp/admin' })).toBeVisible({ timeout: 25_000 });
    await expect(deleteAlerts.filter({ hasText: 't-000950' })).toHaveCount(0);
    // The approved delete is in the trail with its approval, by the requester.
    await page.getByTestId('audit-filter-text').fill('t-000950');
    await page.getByTestId('audit-filter-text').press('Enter');
    await expect(page.getByTestId('audit-table').getByTestId('audit-cell-action').filter({ hasText: /^delete$/ }).first()).toBeVisible({ timeout: 15_000 });
    await expect(page.getByTestId('audit-table').getByTestId('audit-cell-action').filter({ hasText: 'approve' }).first()).toBeVisible();
  });
});

test('alert thresholds are edited, validated with clear errors, kept, and change which alerts show', async ({ page }) => {
  test.setTimeout(120_000);
  await signInAsAdmin(page);
  await page.getByTestId('nav-audit').click();
  for (let i = 0; i < 6; i++) await baoCall('POST', 'auth/userpass/login/e2e-threshold', { body: { password: `wrong-${i}` } });
  const failedAlert = page.getByTestId('audit-alert-failed-auth-user').filter({ hasText: 'e2e-threshold' });
  await expect(failedAlert).toBeVisible({ timeout: 25_000 });

  const settings = page.getByTestId('audit-alert-settings');
  const set = async (values: Record<string, string>) => {
    await page.getByTestId('audit-tab-alert-settings').click();
    for (const [k, v] of Object.entries(values)) await settings.getByTestId(`alert-setting-${k}`).fill(v);
    await settings.getByTestId('alert-settings-save').click();
  };
  await set({ failedAuthThreshold: '0' });
  await expect(page.getByTestId('alert-settings-error')).toHaveText('Failed sign-ins must be a whole number from 1 to 10,000.');
  await set({ failedAuthThreshold: '10', timeZone: 'Mars/Olympus' });
  await expect(page.getByTestId('alert-settings-error')).toContainText('"Mars/Olympus" is not a time zone');
  await set({ offHoursStart: '4', offHoursEnd: '4', timeZone: 'UTC' });
  await expect(page.getByTestId('alert-settings-error')).toHaveText('Off-hours start and end must differ.');

  // 6 failures no longer reach a threshold of 10; the off-hours window excludes the last hours.
  const h = new Date().getUTCHours();
  await set({ failedAuthThreshold: '10', offHoursStart: String((h + 6) % 24), offHoursEnd: String((h + 8) % 24), timeZone: 'UTC' });
  await expect(page.getByTestId('alert-settings-saved')).toBeVisible();
  await page.getByTestId('audit-tab-events').click();
  await expect(failedAlert).toHaveCount(0);

  // Kept across a fresh page (main's settings, not the page's memory).
  await signInAsAdmin(page);
  await page.getByTestId('nav-audit').click();
  await page.getByTestId('audit-tab-alert-settings').click();
  await expect(settings.getByTestId('alert-setting-failedAuthThreshold')).toHaveValue('10');

  // An off-hours window around now, first in a zone where it is another hour (nothing), then in UTC.
  await baoCall('GET', 'tenants/data/t-000777/smtp/admin', { token: bao.rootToken });
  const offHours = page.getByTestId('audit-alert-off-hours').filter({ hasText: 'root' });
  await set({ failedAuthThreshold: '5', offHoursStart: String(h), offHoursEnd: String((h + 2) % 24), timeZone: 'Asia/Kolkata' });
  await expect(page.getByTestId('alert-settings-saved')).toBeVisible();
  await page.getByTestId('audit-tab-events').click();
  await expect(failedAlert).toBeVisible({ timeout: 15_000 });
  await expect(offHours).toHaveCount(0);
  await set({ timeZone: 'UTC' });
  await page.getByTestId('audit-tab-events').click();
  await expect(offHours.first()).toBeVisible({ timeout: 15_000 });
  // The alert opens its events: root's tenant secret accesses.
  await offHours.first().click();
  await expect(page.getByTestId('audit-alert-table').getByTestId('audit-cell-user').first()).toHaveText('root');

  // Back to the spec's defaults for whatever runs next.
  await set({ failedAuthThreshold: '5', failedAuthWindowMinutes: '5', bulkReadThreshold: '100', bulkReadWindowSeconds: '60', offHoursStart: '2', offHoursEnd: '6', timeZone: 'UTC' });
  await expect(page.getByTestId('alert-settings-saved')).toBeVisible();
});

test('an old log imported for offline review; its month archived with a checksum, listed, and reopened', async ({ page }) => {
  test.setTimeout(120_000);
  // Two months ago: finished, and newer than the default archive age, so only this test archives it.
  const now = new Date();
  const when = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 5, 10));
  const month = when.toISOString().slice(0, 7);
  const dir = mkdtempSync(join(tmpdir(), 'vc-e2e-audit-import-'));
  const file = join(dir, 'old-audit.log');
  // Real OpenBao entries (the captured fixture), moved to that month with fresh request ids.
  const ids = new Map<string, string>();
  const lines = readFileSync(join(__dirname, '..', 'fixtures', 'audit', 'openbao-2.4-audit.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l.includes('"path":"tenants/data/t-000001/'))
    .map((l, i) =>
      l
        .replace(/"time":"[^"]+"/, `"time":"${new Date(when.getTime() + i * 1000).toISOString()}"`)
        .replace(/"id":"([0-9a-f-]{36})"/, (_, id: string) => {
          if (!ids.has(id)) ids.set(id, randomUUID());
          return `"id":"${ids.get(id)}"`;
        }),
    );
  writeFileSync(file, `${lines.join('\n')}\n`);
  const events = ids.size;
  expect(events).toBeGreaterThan(2);

  await signInAsAdmin(page);
  await page.getByTestId('nav-audit').click();
  await page.getByTestId('audit-tab-import').click();
  // Main's file dialog picks (the page names no file); cancelled, nothing happens.
  await page.getByTestId('import-choose').click();
  await expect(page.getByTestId('import-cancelled')).toContainText('No file chosen');
  choose(state.auditPicksPath, { importFiles: [file, join(dir, 'missing.log.gz')] });
  await page.getByTestId('import-choose').click();
  await expect(page.getByTestId('import-report')).toHaveCount(2);
  await expect(page.getByTestId('import-report').nth(0)).toHaveAttribute('data-outcome', 'imported');
  await expect(page.getByTestId('import-report').nth(0)).toContainText(`${events} new`);
  await expect(page.getByTestId('import-report').nth(1)).toHaveAttribute('data-outcome', 'failed');
  await expect(page.getByTestId('import-report').nth(1)).toContainText('missing.log.gz cannot be read');
  await expect(page.getByTestId('import-report').nth(0).getByTestId('import-sha256')).toHaveText(createHash('sha256').update(readFileSync(file)).digest('hex'));
  await expect(page.getByTestId('import-report').nth(1).getByTestId('import-sha256')).toHaveCount(0);

  await page.getByTestId('audit-tab-archives').click();
  const row = page.getByTestId('archive-row').filter({ has: page.locator(`td:text-is("${month}")`) });
  await expect(row).toHaveAttribute('data-state', 'hot');
  await expect(row.getByTestId('archive-events')).toHaveText(String(events));
  // The current month cannot be archived while it is still being written.
  const current = page.getByTestId('archive-row').filter({ has: page.locator(`td:text-is("${now.toISOString().slice(0, 7)}")`) });
  await expect(current.getByTestId('archive-month')).toBeDisabled();

  await row.getByTestId('archive-month').click();
  await expect(row).toHaveAttribute('data-state', 'archived');
  await expect(row.getByTestId('archive-events')).toHaveText(String(events));
  const sha = (await row.getByTestId('archive-sha256').textContent())!.trim();
  const archiveDir = (await page.getByTestId('archives-dir').textContent())!.trim();
  expect(createHash('sha256').update(readFileSync(join(archiveDir, `audit-${month}.ndjson.gz`))).digest('hex')).toBe(sha);
  expect(JSON.parse(readFileSync(join(archiveDir, 'manifest.json'), 'utf8')).months[month]).toMatchObject({ sha256: sha, events });

  // Out of the live store: the month's date range shows nothing.
  const rows = page.getByTestId('audit-table').getByTestId('audit-row');
  const from = `${month}-01`;
  const to = `${month}-28`;
  await page.getByTestId('audit-tab-events').click();
  await page.getByTestId('audit-filter-from').fill(from);
  await page.getByTestId('audit-filter-to').fill(to);
  await expect(rows).toHaveCount(0);

  await page.getByTestId('audit-tab-archives').click();
  await row.getByTestId('reopen-month').click();
  await expect(row).toHaveAttribute('data-state', 'reopened');
  await expect(page.getByTestId('archives-notice')).toContainText(`${events} events loaded back`);
  await page.getByTestId('audit-tab-events').click();
  await expect(rows).toHaveCount(events);

  // Retention policy: validated, and kept.
  await page.getByTestId('audit-tab-archives').click();
  await page.getByTestId('retention-archive-after').fill('200');
  await page.getByTestId('retention-save').click();
  await expect(page.getByTestId('archives-error')).toHaveText('Archive after (months) must be a whole number from 1 to 120.');
  await page.getByTestId('retention-archive-after').fill('13');
  await page.getByTestId('retention-years').fill('1');
  await page.getByTestId('retention-save').click();
  await expect(page.getByTestId('archives-error')).toContainText('archive them sooner than that');
  await page.getByTestId('retention-years').fill('7');
  await page.getByTestId('retention-save').click();
  await expect(page.getByTestId('archives-notice')).toHaveText('Retention policy saved.');
  // Main started the retention run with the harness (shortly after start) and scheduled the next one a day later.
  await expect(page.getByTestId('retention-status')).toContainText('Last run');
  await expect(page.getByTestId('retention-status')).toContainText('Next run');
});

test('the log to follow is picked in main and must be a regular file; Vault\'s own file device is the default', async ({ page }) => {
  await signInAsAdmin(page);
  await page.getByTestId('nav-audit').click();
  await expect(page.getByTestId('audit-stream-state')).toContainText('Live');
  const dir = mkdtempSync(join(tmpdir(), 'vc-e2e-audit-follow-'));
  const fifo = join(dir, 'audit.fifo');
  execFileSync('mkfifo', [fifo]);
  choose(state.auditPicksPath, { logFile: fifo });
  await page.getByTestId('audit-follow-choose').click();
  await expect(page.getByTestId('audit-error')).toContainText('audit.fifo is a FIFO (named pipe), not a regular file');
  // A log others can write is followed, with a warning.
  const shared = join(dir, 'shared.log');
  writeFileSync(shared, '');
  chmodSync(shared, 0o666);
  choose(state.auditPicksPath, { logFile: shared });
  await page.getByTestId('audit-follow-choose').click();
  await expect(page.getByTestId('audit-stream-path')).toContainText(shared);
  await expect(page.getByTestId('audit-stream-warning').first()).toContainText('can be written by every local user');
  // Back to the file device Vault's sys/audit reports, for whatever runs next.
  await page.getByTestId('audit-follow-vault').click();
  await expect(page.getByTestId('audit-stream-path')).toContainText("Vault's sys/audit");
  await expect(page.getByTestId('audit-stream-warning')).toHaveCount(0);
});
