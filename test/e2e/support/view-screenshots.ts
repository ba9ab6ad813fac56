// Screenshots of every view for the test artefacts (test-results/screenshots*/), shared
// by the e2e spec (its normal size) and scripts/screenshots-10k.ts (10,000 tenants).
// The page must be signed in; the tenants named must exist in the index.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';

export interface ShotOptions {
  outDir: string;
  /** A tenant with an expired DKIM key (the seed's t-000004). */
  detailsTenant: string;
  /** A tenant with API keys that have usage. */
  apiTenant: string;
  /** Searches that show accent-insensitive matching; the first that finds a tenant is used. */
  accentQueries: string[];
  log?: (line: string) => void;
}

async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.waitForTimeout(400);
}

export async function shootViews(page: Page, o: ShotOptions): Promise<string[]> {
  mkdirSync(o.outDir, { recursive: true });
  const files: string[] = [];
  const shot = async (name: string, fullPage = true) => {
    // No hover state (tooltips) in the picture.
    await page.mouse.move(1, 1);
    await settle(page);
    const file = join(o.outDir, `${name}.png`);
    await page.screenshot({ path: file, fullPage });
    files.push(file);
    o.log?.(`screenshot ${file}`);
  };
  const nav = async (view: string) => {
    await page.getByTestId(`nav-${view}`).click();
    await settle(page);
  };

  await nav('health');
  await page.getByTestId('card-seal').waitFor();
  await shot('01-health');
  await nav('connections');
  await shot('02-connections');

  await nav('tenants');
  await page.getByTestId('tenant-row').first().waitFor({ timeout: 60_000 });
  await shot('03-tenants', false);
  await page.getByTestId('filter-due').selectOption('overdue');
  await page.getByTestId('filter-explain').waitFor();
  await shot('04-tenants-overdue', false);
  await page.getByTestId('filter-due').selectOption('');
  for (const q of o.accentQueries) {
    await page.getByTestId('tenant-search').fill(q);
    await page.locator(`[data-testid="tenant-table"][data-query="${q}"]`).waitFor();
    if ((await page.getByTestId('tenant-row').count()) > 0) break;
  }
  await shot('05-tenants-accent-search', false);
  await page.getByTestId('tenant-search').fill('no tenant is called this');
  await page.getByTestId('tenants-no-match').waitFor();
  await shot('06-tenants-no-match', false);

  await page.getByTestId('tenant-search').fill(o.detailsTenant);
  await page.locator(`[data-testid="tenant-row"][data-tenant-id="${o.detailsTenant}"]`).getByTestId('tenant-open').click();
  await page.getByTestId('tenant-details').waitFor();
  await shot('07-tenant-details');
  await page.getByTestId('dkim-row').first().getByTestId('dkim-dns').click();
  await page.getByTestId('dns-records').waitFor();
  await page.getByTestId('dns-records').scrollIntoViewIfNeeded();
  await shot('08-tenant-dkim-dns', false);

  await page.getByTestId('tenant-search').fill(o.apiTenant);
  await page.locator(`[data-testid="tenant-row"][data-tenant-id="${o.apiTenant}"]`).getByTestId('tenant-open').click();
  await page.getByTestId('api-usage-toggle').click();
  await page.getByTestId('api-usage-chart').locator('.recharts-line').first().waitFor();
  await page.getByTestId('api-usage-chart').scrollIntoViewIfNeeded();
  await shot('09-api-usage-daily', false);
  await page.getByTestId('api-usage-monthly').click();
  await shot('10-api-usage-monthly', false);
  await page.getByTestId('details-close').click().catch(() => undefined);

  await nav('audit');
  await page.getByTestId('audit-chart').waitFor({ timeout: 60_000 });
  // Events stream in from Vault's log: wait for the first ones (a fresh console reads it from the start).
  await page.getByTestId('audit-table').getByTestId('audit-row').first().waitFor({ timeout: 180_000 });
  await shot('11-audit');
  await page.getByTestId('audit-hide-housekeeping').uncheck();
  await shot('12-audit-with-housekeeping');
  await page.getByTestId('audit-hide-housekeeping').check();
  await page.getByTestId('audit-filter-text').fill('no event has this text');
  await page.getByTestId('audit-no-events').waitFor();
  await shot('13-audit-no-events', false);
  await page.getByTestId('audit-filter-text').fill('');

  await nav('backups');
  await shot('14-backups');
  await page.getByTestId('backup-settings-toggle').click();
  await page.getByTestId('backup-settings').waitFor();
  await shot('15-backup-settings');
  await nav('rotation');
  await shot('16-rotation');
  return files;
}
