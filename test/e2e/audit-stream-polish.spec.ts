// Issue 17, the audit stream: console housekeeping hidden by default (a toggle shows it),
// a chart of events over time by action above the table, free-text search live and
// debounced, "no events match", and UTC times with the local time on hover. Chromium
// through the shared harness, against the real OpenBao's file audit device.
import { randomInt } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { readE2eState } from './support/e2e-state';

const state = readE2eState();
const bao = state.openbao;
// A tenant of our own: its events are the only ones that match its id.
const TENANT = `t-7${String(randomInt(0, 100_000)).padStart(5, '0')}`;

async function baoCall(method: string, path: string, body?: unknown) {
  const r = await fetch(`${bao.addr}/v1/${path}`, {
    method,
    headers: { 'X-Vault-Token': bao.rootToken, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return r.status;
}

async function openAudit(page: Page) {
  await page.goto(state.harness.url);
  const out = page.getByTestId('session-sign-out');
  await expect(out.or(page.getByTestId('session-sign-in'))).toBeVisible();
  if (!(await out.isVisible())) {
    await page.getByTestId('session-sign-in').click();
    await page.getByTestId('sign-in-username').fill(bao.users.admin.username);
    await page.getByTestId('sign-in-password').fill(bao.users.admin.password);
    await page.getByTestId('sign-in-submit').click();
    await expect(page.getByTestId('session-user')).toHaveText(/admin/);
  }
  await page.getByTestId('nav-audit').click();
  await expect(page.getByTestId('audit-view')).toBeVisible();
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  // What a secret's life and the console's housekeeping leave in Vault's log.
  expect(await baoCall('POST', `tenants/data/${TENANT}/smtp/admin`, { data: { password: 'x' } })).toBe(200);
  expect(await baoCall('GET', `tenants/data/${TENANT}/smtp/admin`)).toBe(200);
  expect(await baoCall('LIST', `tenants/metadata/${TENANT}/`)).toBe(200);
  expect(await baoCall('GET', `tenants/metadata/${TENANT}/smtp/admin`)).toBe(200);
});

test('free-text search filters as you type (debounced), and console housekeeping is hidden until the toggle shows it', async ({ page }) => {
  // Count the queries the page sends while the tenant id is typed key by key.
  const queries: string[] = [];
  page.on('websocket', (ws) =>
    ws.on('framesent', (f) => {
      const text = typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8');
      if (text.includes('"audit:query"') && text.includes('"text"')) queries.push(text);
    }),
  );
  await openAudit(page);
  await expect(page.getByTestId('audit-hide-housekeeping')).toBeChecked();
  await page.getByTestId('audit-filter-text').pressSequentially(TENANT, { delay: 30 });
  // No Enter: the rows follow the text.
  const rows = page.getByTestId('audit-table').getByTestId('audit-row');
  await expect(rows.first()).toContainText(TENANT, { timeout: 20_000 });
  await expect(rows).toHaveCount(2);
  await expect(page.getByTestId('audit-table').getByTestId('audit-cell-action')).toHaveText(['read', 'write']);
  // Debounced: one query for the whole word, not one per key.
  expect(queries.filter((q) => q.includes(`"text":"${TENANT}"`)).length).toBeGreaterThanOrEqual(1);
  expect(queries.filter((q) => !q.includes(`"text":"${TENANT}"`)).length).toBeLessThanOrEqual(2);

  // The LIST and the metadata read are housekeeping: shown when the toggle is off (with any
  // sync a console made of this tenant meanwhile: housekeeping too).
  await page.getByTestId('audit-hide-housekeeping').uncheck();
  const byRoot = (action: string) => rows.filter({ has: page.getByTestId('audit-cell-action').getByText(action, { exact: true }) }).filter({ has: page.getByTestId('audit-cell-user').getByText('root', { exact: true }) });
  await expect(byRoot('read-metadata')).toHaveCount(1);
  await expect(byRoot('list')).toHaveCount(1);
  const hiddenToo = await rows.count();
  expect(hiddenToo).toBeGreaterThanOrEqual(4);
  await page.getByTestId('audit-hide-housekeeping').check();
  await expect(rows).toHaveCount(2);
  await expect(page.getByTestId('audit-table').getByTestId('audit-cell-action')).toHaveText(['read', 'write']);
});

test('a chart of events over time by action sits above the table and follows the filters', async ({ page }) => {
  await openAudit(page);
  const chart = page.getByTestId('audit-chart');
  await expect(chart).toBeVisible();
  await expect(chart).toHaveAttribute('data-source', 'rollup');
  await expect(page.getByTestId('audit-chart-caption')).toContainText('console housekeeping hidden');
  expect(await chart.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(0);
  // Above the table.
  const chartBox = (await chart.boundingBox())!;
  const tableBox = (await page.getByTestId('audit-table').boundingBox())!;
  expect(chartBox.y + chartBox.height).toBeLessThanOrEqual(tableBox.y);

  await page.getByTestId('audit-filter-text').fill(TENANT);
  await expect(chart).toHaveAttribute('data-source', 'events');
  await expect(chart).toHaveAttribute('data-total', '2');
  await page.getByTestId('audit-hide-housekeeping').uncheck();
  await expect.poll(async () => Number(await chart.getAttribute('data-total'))).toBeGreaterThanOrEqual(4);
  // The chart counts what the table lists.
  await expect.poll(async () => Number(await chart.getAttribute('data-total'))).toBe(await page.getByTestId('audit-table').getByTestId('audit-row').count());
  // The legend names the actions of the bars.
  for (const a of ['read', 'write', 'list', 'read-metadata']) await expect(chart.locator('.recharts-legend-item-text', { hasText: new RegExp(`^${a}$`) })).toHaveCount(1);
  // Legend words in the text colour: the light bar colours (list, other) would be unreadable.
  // Runs in the page (a string: test files are type-checked without the DOM library).
  const legendColours = (await page.evaluate(`[...document.querySelectorAll('[data-testid="audit-chart"] .recharts-legend-item-text')].map((e) => getComputedStyle(e).color)`)) as string[];
  expect(legendColours.length).toBeGreaterThanOrEqual(4);
  expect(new Set(legendColours)).toEqual(new Set(['rgb(28, 36, 48)']));
  // The count axis says numbers the way people read them.
  const yTicks = await chart.locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value').allTextContents();
  expect(yTicks.length).toBeGreaterThan(1);
  for (const t of yTicks) expect(t).toMatch(/^\d{1,3}(,\d{3})*$/);
});

test('a search that matches nothing says so', async ({ page }) => {
  await openAudit(page);
  await page.getByTestId('audit-filter-text').fill('no-such-thing-in-any-log-zq');
  await expect(page.getByTestId('audit-no-events')).toContainText('No events match these filters');
  await expect(page.getByTestId('audit-table').getByTestId('audit-row')).toHaveCount(0);
});

test('event times are UTC to the minute, the local time on hover', async ({ page }) => {
  await openAudit(page);
  await page.getByTestId('audit-filter-text').fill(TENANT);
  const t = page.getByTestId('audit-table').getByTestId('audit-row').first().locator('time');
  await expect(t).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
  await expect(t).toHaveAttribute('title', /^Local time: .+ · \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} UTC$/);
});
