// Issue 17: the demo runs every view, backups included. The demo's own stack
// (scripts/demo-stack.ts: OpenBao seeded with progress, the S3-protocol server, the
// console configured to back up into it) in Chromium: seeding prints count, rate and
// ETA; Health's quick actions back up now and open the history; the Last Backup and
// Backup Health cards turn green; the backup settings form is styled.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startDemoStack, type DemoStack } from '../../scripts/demo-stack';

const TENANTS = 12;
let stack: DemoStack;
let dir = '';
const lines: string[] = [];

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  dir = mkdtempSync(join(tmpdir(), 'vc-e2e-demo-'));
  stack = await startDemoStack({ tenants: TENANTS, dir, log: (l) => lines.push(l), harnessBuild: 'never', keychainService: `vault-console-e2e-demo-${Date.now()}`, progressEveryMs: 200 });
});

test.afterAll(async () => {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function signIn(page: Page) {
  await page.goto(stack.harness!.url);
  const out = page.getByTestId('session-sign-out');
  await expect(out.or(page.getByTestId('session-sign-in'))).toBeVisible();
  if (await out.isVisible()) return;
  await page.getByTestId('session-sign-in').click();
  await page.getByTestId('sign-in-username').fill(stack.bao.users.admin.username);
  await page.getByTestId('sign-in-password').fill(stack.bao.users.admin.password);
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('session-user')).toHaveText(/admin/);
}

test('seeding shows progress: count, rate and ETA, then how long it took', () => {
  const progress = lines.filter((l) => l.startsWith('[demo] seeding ') && l.includes(' of '));
  expect(progress.length).toBeGreaterThan(0);
  expect(progress.at(-1)).toMatch(new RegExp(`^\\[demo\\] seeding ${TENANTS} of ${TENANTS} tenants \\(100 %\\) · [\\d.]+ tenants/s · done in \\d+ s · ${TENANTS} written, 0 already there$`));
  for (const l of progress.slice(0, -1)) expect(l).toMatch(/tenants\/s · ETA (\d+ s|\d+ min \d+ s|\?)/);
});

test('Health: Force Backup Now backs up to the demo S3 server and the backup cards turn green; View Backup History opens the history', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page);
  await page.getByTestId('nav-health').click();
  const force = page.getByTestId('health-force-backup');
  await expect(force).toBeEnabled();
  await expect(page.getByTestId('health-force-backup-reason')).toHaveCount(0);
  await force.click();
  await expect(page.getByTestId('health-backup-notice')).toHaveText(/Backup \S+ completed/, { timeout: 60_000 });
  await expect(page.getByTestId('card-last-backup')).toHaveAttribute('data-tone', 'green');
  await expect(page.getByTestId('card-backup-health')).toHaveAttribute('data-tone', 'green');
  await expect(page.getByTestId('card-backup-health-value')).toContainText('Healthy');
  await expect(page.getByTestId('card-last-backup-detail')).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);

  await page.getByTestId('health-backup-history').click();
  await expect(page.getByTestId('backups-view')).toBeVisible();
  // A completed backup reads as done (green), not as a warning.
  await expect(page.getByTestId('backup-notice')).toHaveText(/Backup \S+ completed/);
  await expect(page.getByTestId('backup-notice')).toHaveClass(/\bsuccess\b/);
  const row = page.locator('[data-testid^="backup-row-"]').first();
  await expect(row).toHaveAttribute('data-status', 'completed');
  await expect(page.getByTestId('backup-versioning')).toContainText('On');
  await expect(page.getByTestId('backup-run')).toBeEnabled();
});

test('the backup settings form is laid out like the other forms, and says why Force Backup Now waits when nothing is configured', async ({ page }) => {
  await signIn(page);
  await page.getByTestId('nav-backups').click();
  await page.getByTestId('backup-settings-toggle').click();
  const bucket = page.getByTestId('backup-bucket');
  await expect(bucket).toHaveValue('vault-console-demo');
  // Runs in the page (a string: test files are type-checked without the DOM library).
  const style = (await page.evaluate(`(() => {
    const el = document.querySelector('[data-testid="backup-bucket"]');
    const s = getComputedStyle(el);
    const label = getComputedStyle(el.parentElement);
    return { radius: s.borderTopLeftRadius, padding: s.paddingLeft, labelDisplay: label.display, labelDirection: label.flexDirection };
  })()`)) as Record<string, string>;
  expect(style).toEqual({ radius: '6px', padding: '8px', labelDisplay: 'flex', labelDirection: 'column' });
  // The field spans the form, not the width of its text.
  const form = (await page.getByTestId('backup-settings').boundingBox())!;
  expect((await bucket.boundingBox())!.width).toBeGreaterThan(form.width * 0.8);

  // A console with no destination: the reason is on screen, on Health too.
  stack.harness!.services.settings.set('backup.settings', '');
  // A fresh page (the harness URL carries its token; a reload would not).
  await page.goto('about:blank');
  await page.goto(stack.harness!.url);
  await page.getByTestId('nav-backups').click();
  await expect(page.getByTestId('backup-run')).toBeDisabled();
  // Next to the button (its gate's reason), and under the header.
  await expect(page.getByTestId('backup-run-gate').getByTestId('backup-run-reason')).toContainText('Set the S3 bucket');
  await expect(page.locator('p[data-testid="backup-run-reason"]')).toContainText('set the S3 bucket');
  await page.getByTestId('nav-health').click();
  await expect(page.getByTestId('health-force-backup')).toBeDisabled();
  await expect(page.getByTestId('health-force-backup-reason')).toContainText('Backups are not configured');
});
