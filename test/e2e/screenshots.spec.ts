// Screenshots of every view for the test artefacts (test-results/screenshots/), at the
// suite's normal size: the demo's own stack (scripts/demo-stack.ts) with 40 tenants,
// signed in as the admin, index synced, one backup made. At 10,000 tenants the same
// views are shot by `scripts/screenshots-10k.ts` (opt-in; seeding takes minutes).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startDemoStack, type DemoStack } from '../../scripts/demo-stack';
import { REPO_ROOT } from '../services/state';
import { shootViews } from './support/view-screenshots';

const TENANTS = 40;
/** Unaccented spellings of the seeder's accented names (tenant-names.ts). */
const ACCENT_QUERIES = ['cafe ole', 'zurcher', 'muller', 'cestina', 'societe', 'sao paulo', 'lodz', 'oresund', 'istanbul', 'aeroskobing'];
let stack: DemoStack;
let dir = '';

test.beforeAll(async () => {
  test.setTimeout(240_000);
  dir = mkdtempSync(join(tmpdir(), 'vc-e2e-shots-'));
  stack = await startDemoStack({ tenants: TENANTS, dir, log: () => undefined, harnessBuild: 'never', keychainService: `vault-console-e2e-shots-${Date.now()}` });
});

test.afterAll(async () => {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('every view, as a new user sees it', async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(stack.harness!.url);
  await page.getByTestId('session-sign-in').click();
  await page.getByTestId('sign-in-username').fill(stack.bao.users.admin.username);
  await page.getByTestId('sign-in-password').fill(stack.bao.users.admin.password);
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('session-user')).toHaveText(/admin/);
  await page.getByTestId('health-force-backup').click();
  await expect(page.getByTestId('health-backup-notice')).toHaveText(/completed/, { timeout: 60_000 });
  await page.getByTestId('nav-tenants').click();
  await page.getByTestId('sync').click();
  await expect(page.getByTestId('result-count')).toHaveText(`${TENANTS} tenants`, { timeout: 60_000 });
  const files = await shootViews(page, { outDir: join(REPO_ROOT, 'test-results', 'screenshots'), detailsTenant: 't-000004', apiTenant: 't-000003', accentQueries: ACCENT_QUERIES });
  expect(files.length).toBe(16);
});
