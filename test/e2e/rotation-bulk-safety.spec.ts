// Bulk rotation's promises on screen, in Chromium through the harness, against the real
// OpenBao (issues 13.1, 13.2, 17.2 for bulk jobs, 17.5, 17.7): a secret changed after the
// preview is listed in the report, not rotated, and "Rotate these now" makes a new previewed
// job; the preview lists API keys to rotate one by one; "Rotate overdue" can be scoped to
// SSH keys; the tenant list's "Rotate what this filter shows" starts a previewed job of the
// filter's tenants and types; and the auditor sees what the preview does not allow and why,
// whose jobs are listed, and whether the schedules are the cluster's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { connectionFromEnv } from '../../src/main/services/config/app-config';
import { seedTenants } from '../../src/main/services/seed/seeder';
import { createKvStore, createKvV2Mount, type KvStore } from '../../src/main/services/vault/kv';
import { createVaultClient, type VaultClient } from '../../src/main/services/vault/vault-client';
import { isOverdue } from '../../src/shared/rotation/rules';
import { formatUtc } from '../../src/shared/time-format';
import { startHarness, type Harness } from '../harness/harness';
import { readE2eState } from './support/e2e-state';

const state = readE2eState();
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const COUNT = 20;
const T = (i: number) => `t-${String(i).padStart(6, '0')}`;
let root: VaultClient;
let kv: KvStore;
let harness: Harness;
let mount = '';
/** The admin's token: a child of the root token (signing out revokes the session's token; never the root token). */
let adminToken = '';
let signedInWith = '';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  root = createVaultClient(connectionFromEnv({ VAULT_ADDR: state.openbao.addr }), state.openbao.rootToken);
  mount = `rot-safe-${Date.now().toString(36)}`;
  await createKvV2Mount(root, mount);
  kv = createKvStore(root, mount);
  await seedTenants({ client: root, mount, count: COUNT, concurrency: 8, seed: 'rot-safe', dkimPoolSize: 2, logger: quiet });
  harness = await startHarness({ env: { VAULT_ADDR: state.openbao.addr, VAULT_CONSOLE_KV_MOUNT: mount }, build: 'never', keychainService: `vault-console-e2e-rot-safe-${Date.now()}` });
  const adminPolicy = readFileSync(join(__dirname, '..', 'services', 'openbao', 'policies', 'vault-console-admin.hcl'), 'utf8').replaceAll('__KV_MOUNT__', mount);
  adminToken = await tokenWith(`${mount}-admin`, adminPolicy);
});

test.afterAll(async () => {
  await harness?.close();
  await root?.request('DELETE', `sys/mounts/${mount}`).catch(() => undefined);
  root?.close();
});

async function signIn(page: Page, token: string) {
  await page.goto(harness.url);
  await page.getByTestId('nav-rotation').click();
  if (signedInWith !== token) {
    if (signedInWith !== '') {
      await page.getByTestId('session-sign-out').click();
      await expect(page.getByTestId('sign-in')).toBeVisible();
    }
    await page.getByTestId('method-token').click();
    await page.getByTestId('sign-in-token').fill(token);
    await page.getByTestId('sign-in-submit').click();
    signedInWith = token;
  }
  await expect(page.getByTestId('rotation-view')).toBeVisible();
}

/** A screenshot in the test's artefacts, to look at. */
async function shot(page: Page, name: string) {
  const path = test.info().outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await test.info().attach(name, { path, contentType: 'image/png' });
}

async function tokenWith(name: string, policy: string): Promise<string> {
  await root.request('PUT', `sys/policies/acl/${name}`, { policy });
  const r = await root.request<{ auth: { client_token: string } }>('POST', 'auth/token/create', { policies: [name], ttl: '30m', display_name: name });
  return r.auth.client_token;
}

async function startPreviewed(page: Page, reason: string) {
  const phrase = (await page.getByTestId('bulk-preview').locator('strong.mono').textContent())!;
  await page.getByTestId('bulk-reason').fill(reason);
  await page.getByTestId('bulk-confirm').fill(phrase);
  await page.getByTestId('bulk-start').click();
}

/** Paths of overdue secrets of a type, as Vault's metadata says now. */
async function overdue(folder: 'ssh' | 'api'): Promise<string[]> {
  const out: string[] = [];
  for (let i = 1; i <= COUNT; i++) {
    for (const leaf of await kv.list(`${T(i)}/${folder}`)) {
      const p = `${T(i)}/${folder}/${leaf}`;
      if (isOverdue((await kv.readMetadata(p))!.customMetadata, Date.now())) out.push(p);
    }
  }
  return out.sort();
}

test('a secret changed by hand after the preview is listed, not rotated; "Rotate these now" makes a new previewed job', async ({ page }) => {
  await signIn(page, adminToken);
  await page.getByTestId('bulk-all-smtp').click();
  await expect(page.getByTestId('bulk-preview-summary')).toContainText(`${COUNT} secret(s) in ${COUNT} tenant(s): SSH 0, SMTP ${COUNT}, DKIM 0`);
  // Another admin sets t-000003's password by hand while this admin reads the preview.
  const cur = (await kv.read(`${T(3)}/smtp/admin`))!;
  const hand = await kv.write(`${T(3)}/smtp/admin`, { ...cur.data, password: 'set-by-hand-0123456789-abcdefghij' });
  await startPreviewed(page, 'Quarterly SMTP rotation');
  const job = page.getByTestId('bulk-job').first();
  await expect(job).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  await expect(page.getByTestId('bulk-report-summary')).toHaveText(`completed: ${COUNT - 1} rotated, 0 failed, 0 skipped, 0 remaining, 1 changed since the preview`);
  await expect(page.getByTestId('bulk-report-changed')).toContainText('1 secret(s) changed since the preview were not rotated');
  await expect(page.getByTestId('bulk-report-changed-item')).toHaveCount(1);
  await shot(page, 'report-changed-since-preview');
  await expect(page.getByTestId('bulk-report-changed-item')).toContainText(`${T(3)}/smtp/admin: Changed since the preview: version 1 was previewed, version 2 is current`);
  // The hand edit is what Vault holds.
  expect((await kv.read(`${T(3)}/smtp/admin`))!).toMatchObject({ version: hand.version, data: { password: 'set-by-hand-0123456789-abcdefghij' } });
  const firstJob = (await job.getAttribute('data-job-id'))!;

  await page.getByTestId('bulk-rotate-changed').click();
  await expect(page.getByTestId('bulk-preview-label')).toHaveText(`Rotate what changed since the preview of ${firstJob}`);
  await expect(page.getByTestId('bulk-preview-summary')).toContainText('1 secret(s) in 1 tenant(s): SSH 0, SMTP 1, DKIM 0 (from Vault)');
  await startPreviewed(page, 'The hand-set one too');
  const second = page.locator('[data-testid="bulk-job"]').first();
  await expect(second).not.toHaveAttribute('data-job-id', firstJob);
  await expect(second).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  const after = (await kv.read(`${T(3)}/smtp/admin`))!;
  expect(after.version).toBe(hand.version + 1);
  expect(after.data.rotation_job).toBe(await second.getAttribute('data-job-id'));
});

test('"Rotate Overdue Secrets" can be scoped to SSH keys, and the preview lists API keys to rotate one by one', async ({ page }) => {
  // Some SSH keys and API keys are overdue.
  for (const p of [`${T(4)}/ssh/admin`, `${T(5)}/ssh/tenant`, `${T(6)}/ssh/admin`, ...((await kv.list(`${T(7)}/api`)).slice(0, 1).map((k) => `${T(7)}/api/${k}`))]) {
    await kv.writeMetadata(p, { customMetadata: { ...(await kv.readMetadata(p))!.customMetadata, status: 'active', next_rotation: '2021-01-01T00:00:00.000Z' } });
  }
  const ssh = await overdue('ssh');
  const api = await overdue('api');
  expect(ssh.length).toBeGreaterThanOrEqual(3);
  expect(api.length).toBeGreaterThanOrEqual(1);
  await signIn(page, adminToken);
  await page.getByTestId('bulk-overdue-type').selectOption('ssh');
  await page.getByTestId('bulk-overdue').click();
  await expect(page.getByTestId('bulk-preview-label')).toHaveText('Rotate overdue secrets (ssh)');
  await expect(page.getByTestId('bulk-preview-summary')).toContainText(`${ssh.length} secret(s) in ${new Set(ssh.map((p) => p.split('/')[0])).size} tenant(s): SSH ${ssh.length}, SMTP 0, DKIM 0`);
  await expect(page.getByTestId('bulk-preview-api-keys')).toHaveCount(0);
  await page.getByTestId('bulk-preview-cancel').click();

  await page.getByTestId('bulk-overdue-type').selectOption('all');
  await page.getByTestId('bulk-overdue').click();
  const notice = page.getByTestId('bulk-preview-api-keys');
  await expect(notice).toContainText(`${api.length} API key(s) left out: rotate one by one (the new key is shown once).`);
  await notice.getByText('Show the API keys').click();
  for (const p of api) await expect(page.getByTestId('bulk-preview-api-key-list')).toContainText(p);
  await expect(page.getByTestId('bulk-preview-summary')).not.toContainText('API');
  await shot(page, 'preview-overdue-api-keys-one-by-one');
  await page.getByTestId('bulk-preview-cancel').click();
});

test('the tenant list: "Rotate what this filter shows" rotates the overdue SSH keys of the filtered tenants, after a preview', async ({ page }) => {
  const ssh = await overdue('ssh');
  const before = new Map<string, number>();
  for (let i = 1; i <= COUNT; i++) for (const p of [`${T(i)}/ssh/admin`, `${T(i)}/ssh/tenant`, `${T(i)}/smtp/admin`]) before.set(p, (await kv.readMetadata(p))!.currentVersion);
  await signIn(page, adminToken);
  await page.getByTestId('nav-tenants').click();
  await page.getByTestId('sync').click();
  await expect(page.getByTestId('result-count')).toHaveText(`${COUNT} tenants`, { timeout: 60_000 });
  await page.getByTestId('filter-type').selectOption('ssh');
  await page.getByTestId('filter-due').selectOption('overdue');
  const tenants = new Set(ssh.map((p) => p.split('/')[0]));
  await expect(page.getByTestId('result-count')).toHaveText(`${tenants.size} tenant${tenants.size === 1 ? '' : 's'}`);
  await page.getByTestId('rotate-filter-button').click();
  await expect(page.getByTestId('bulk-preview-label')).toHaveText('Rotate what the tenant filter shows (every tenant, SSH keys, overdue)');
  await expect(page.getByTestId('bulk-preview-summary')).toContainText(`${ssh.length} secret(s) in ${tenants.size} tenant(s): SSH ${ssh.length}, SMTP 0, DKIM 0 (from the local index)`);
  await shot(page, 'tenants-rotate-what-this-filter-shows');
  await startPreviewed(page, 'Quarterly review: overdue SSH keys');
  await expect(page.getByTestId('rotate-filter-started')).toContainText(`${ssh.length} rotated`, { timeout: 60_000 });
  await expect(page.getByTestId('rotate-filter-started')).toContainText('completed');
  // Vault: exactly the overdue SSH keys were rotated, once; nothing else.
  for (const [p, v] of before) expect((await kv.readMetadata(p))!.currentVersion, p).toBe(v + (ssh.includes(p) ? 1 : 0));
  // A changed filter drops the preview it made.
  await page.getByTestId('rotate-filter-button').click();
  await expect(page.getByTestId('bulk-preview')).toBeVisible();
  await page.getByTestId('filter-type').selectOption('smtp');
  await expect(page.getByTestId('bulk-preview')).toHaveCount(0);
});

test('the auditor: the preview says nothing may be rotated and why, jobs say whose they are, schedules say where they come from', async ({ page }) => {
  // The admin (signed in on this console) saves the cluster's schedules (SSH every 60 days).
  await signIn(page, adminToken);
  const admin = harness.services.session.info().displayName;
  const saved = await harness.services.rotation.setSchedules({ days: { ssh: 60, smtp: 180, dkim: 365, api: 365 }, graceHours: { ssh: 24, dkim: 48 } }, 0);
  if (saved.rescheduleJobId) await harness.services.rotation.wait(saved.rescheduleJobId);
  const auditorPolicy = readFileSync(join(__dirname, '..', 'services', 'openbao', 'policies', 'vault-console-auditor.hcl'), 'utf8').replaceAll('__KV_MOUNT__', mount);
  const auditor = await tokenWith(`${mount}-auditor`, auditorPolicy);
  await signIn(page, auditor);

  // Jobs on this computer by another identity are listed as such.
  const rows = page.getByTestId('bulk-job');
  await expect(rows.first()).toBeVisible();
  await expect(page.getByTestId('bulk-jobs-note')).toContainText('Jobs run from this computer');
  for (const owner of await page.getByTestId('bulk-job-owner').allTextContents()) expect(owner).toBe(`by ${admin} (another identity on this computer)`);
  await rows.first().getByTestId('bulk-show-report').click();
  await expect(page.getByTestId('bulk-report-owner')).toHaveText(`Started by ${admin} on ${state.openbao.addr}, mount ${mount}`);
  // The cluster's schedules, read from their metadata copy (the auditor may not read the data).
  await expect(page.getByTestId('schedules-source')).toHaveText(`The cluster's schedules, stored in Vault for every admin (read from their metadata copy); last changed by ${admin} at ${formatUtc(saved.updatedAt)}.`);
  await expect(page.getByTestId('schedule-ssh')).toHaveValue('60');

  // "Rotate All SMTP": the preview, not 20 failures.
  await page.getByTestId('bulk-all-smtp').click();
  await expect(page.getByTestId('bulk-preview-not-allowed')).toContainText(`${COUNT} secret(s) left out: your policies do not allow you to rotate any of them.`);
  await expect(page.getByTestId('bulk-preview-not-allowed')).toContainText(`Your policies do not grant read + update on ${mount}/data/${T(1)}/smtp/admin.`);
  await expect(page.getByTestId('bulk-preview-nothing')).toHaveText('Nothing here that you may rotate.');
  await expect(page.getByTestId('bulk-start')).toHaveCount(0);
  await shot(page, 'auditor-preview-not-allowed');
  await page.getByTestId('bulk-preview-cancel').click();

  // An identity that may not read the schedules at all is told that the defaults are shown.
  const blind = await tokenWith(`${mount}-blind`, `${auditorPolicy}\npath "${mount}/metadata/_rotation-schedules" { capabilities = ["deny"] }\n`);
  await signIn(page, blind);
  await expect(page.getByTestId('schedules-source')).toContainText("These are the built-in defaults, not necessarily the cluster's schedules.");
  await expect(page.getByTestId('schedules-source')).toContainText("Your policies do not allow reading the cluster's rotation schedules");
  await expect(page.getByTestId('schedule-ssh')).toHaveValue('90');
  await shot(page, 'schedules-unreadable-defaults');
});
