// Rotation in Chromium through the harness, against the real OpenBao: Rotate Now with a
// required reason, Emergency Reset with an incident ID, a rotated API key's new key shown
// once, a bulk job with its preview, typed confirmation, live progress and final report,
// and a job killed mid-way that resumes by itself at sign-in. Vault is checked after each step.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { DATABASE_FILE } from '../../src/main/services/container';
import { openDatabase } from '../../src/main/services/storage/database';
import { connectionFromEnv } from '../../src/main/services/config/app-config';
import { seedTenants } from '../../src/main/services/seed/seeder';
import { createKvStore, type KvStore, createKvV2Mount } from '../../src/main/services/vault/kv';
import { createVaultClient, type VaultClient } from '../../src/main/services/vault/vault-client';
import { startHarness, type Harness } from '../harness/harness';
import { formatUtc } from '../../src/shared/time-format';
import { readE2eState } from './support/e2e-state';

const state = readE2eState();
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const COUNT = 30;
let root: VaultClient;
let kv: KvStore;
let harness: Harness;
let mount = '';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  root = createVaultClient(connectionFromEnv({ VAULT_ADDR: state.openbao.addr }), state.openbao.rootToken);
  // A mount of its own (signed in with the root token), so other specs' tenants are untouched.
  mount = `rot-e2e-${Date.now().toString(36)}`;
  await createKvV2Mount(root, mount);
  kv = createKvStore(root, mount);
  await seedTenants({ client: root, mount, count: COUNT, concurrency: 8, seed: 'rot-e2e', dkimPoolSize: 2, logger: quiet });
  harness = await startHarness({
    env: { VAULT_ADDR: state.openbao.addr, VAULT_CONSOLE_KV_MOUNT: mount },
    build: 'never',
    keychainService: `vault-console-e2e-rotation-${Date.now()}`,
  });
});

test.afterAll(async () => {
  await harness?.close();
  await root?.request('DELETE', `sys/mounts/${mount}`).catch(() => undefined);
  root?.close();
});

async function openRotation(page: Page, h: Harness = harness) {
  await page.goto(h.url);
  await page.getByTestId('nav-rotation').click();
  if (await page.getByTestId('sign-in').isVisible()) {
    await page.getByTestId('method-token').click();
    await page.getByTestId('sign-in-token').fill(state.openbao.rootToken);
    await page.getByTestId('sign-in-submit').click();
  }
  await expect(page.getByTestId('rotation-view')).toBeVisible();
}

test('Rotate Now refuses an empty reason, then rotates the SSH key and shows the fingerprint Vault holds', async ({ page }) => {
  await openRotation(page);
  await page.getByTestId('rotate-one-tenant').fill('t-000001');
  await page.getByTestId('rotate-one-target').fill('ssh-admin');
  await page.getByTestId('rotate-now').click();
  await page.getByTestId('rotation-submit').click();
  await expect(page.getByTestId('rotation-error')).toHaveText('A reason is required.');
  expect((await kv.readMetadata('t-000001/ssh/admin'))!.currentVersion).toBe(1);
  await page.getByTestId('rotation-reason').fill('Quarterly review');
  await page.getByTestId('rotation-submit').click();
  await expect(page.getByTestId('rotation-result-version')).toHaveText('1 → 2');
  const d = (await kv.read('t-000001/ssh/admin'))!;
  await expect(page.getByTestId('rotation-result-fingerprint')).toHaveText(String(d.data.fingerprint));
  await expect(page.getByTestId('rotation-result-grace')).toHaveText(formatUtc(String(d.data.grace_until)));
  expect(d.data).toMatchObject({ rotation_reason: 'Quarterly review' });
  // The private key never reaches the page.
  expect(await page.content()).not.toContain('OPENSSH PRIVATE KEY');
  await page.getByTestId('rotation-close').click();
  await expect(page.getByTestId('rotate-dialog')).toHaveCount(0);
});

test('Emergency Reset refuses a malformed incident ID, then resets SMTP with no grace', async ({ page }) => {
  await openRotation(page);
  await page.getByTestId('rotate-one-tenant').fill('t-000002');
  await page.getByTestId('rotate-one-target').fill('smtp');
  const before = (await kv.read('t-000002/smtp/admin'))!;
  await page.getByTestId('emergency-reset').click();
  await page.getByTestId('rotation-incident').fill('incident 7');
  await page.getByTestId('rotation-submit').click();
  await expect(page.getByTestId('rotation-error')).toContainText('Malformed incident ID');
  await page.getByTestId('rotation-incident').fill('INC-2041');
  await page.getByTestId('rotation-submit').click();
  await expect(page.getByTestId('rotation-result-grace')).toHaveText('None: the old credential is invalid now');
  const after = (await kv.read('t-000002/smtp/admin'))!;
  expect(after.version).toBe(before.version + 1);
  expect(after.data.password).not.toBe(before.data.password);
  expect(after.customMetadata.rotation_incident).toBe('INC-2041');
  expect(await page.content()).not.toContain(String(after.data.password));
});

test('bulk: Rotate All SMTP Credentials shows a preview, needs the typed confirmation, streams progress and ends with a report', async ({ page }) => {
  await openRotation(page);
  const before = new Map<string, number>();
  for (let i = 1; i <= COUNT; i++) {
    const id = `t-${String(i).padStart(6, '0')}`;
    before.set(id, (await kv.readMetadata(`${id}/smtp/admin`))!.currentVersion);
  }
  await page.getByTestId('bulk-all-smtp').click();
  await expect(page.getByTestId('bulk-preview-summary')).toContainText(`${COUNT} secret(s) in ${COUNT} tenant(s): SSH 0, SMTP ${COUNT}`);
  await expect(page.getByTestId('bulk-start')).toBeDisabled();
  await page.getByTestId('bulk-reason').fill('Quarterly SMTP rotation');
  await page.getByTestId('bulk-confirm').fill(`ROTATE ${COUNT - 1}`);
  await expect(page.getByTestId('bulk-start')).toBeDisabled();
  await page.getByTestId('bulk-confirm').fill(`ROTATE ${COUNT}`);
  await page.getByTestId('bulk-start').click();
  const job = page.getByTestId('bulk-job').first();
  await expect(job).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  await expect(job.getByTestId('bulk-job-progress')).toContainText(`done ${COUNT} · failed 0 · skipped 0 · remaining 0`);
  await expect(page.getByTestId('bulk-report-summary')).toHaveText(`completed: ${COUNT} rotated, 0 failed, 0 skipped, 0 remaining`);
  for (const [id, v] of before) expect((await kv.readMetadata(`${id}/smtp/admin`))!.currentVersion, id).toBe(v + 1);
});

test('Rotate Now on an API key shows the new key once: Vault keeps its hash, copy goes through main, Close wipes it', async ({ page }) => {
  // An API key that is not revoked (revoked keys are kept for audit and refused).
  let tenant = '';
  let keyId = '';
  for (let i = 5; i <= COUNT && !keyId; i++) {
    const t = `t-${String(i).padStart(6, '0')}`;
    for (const k of await kv.list(`${t}/api`)) {
      if ((await kv.readMetadata(`${t}/api/${k}`))!.customMetadata.status !== 'revoked') {
        tenant = t;
        keyId = k;
        break;
      }
    }
  }
  expect(keyId).not.toBe('');
  const path = `${tenant}/api/${keyId}`;
  await openRotation(page);
  await page.getByTestId('rotate-one-tenant').fill(tenant);
  await page.getByTestId('rotate-one-target').fill(`api:${keyId}`);
  await page.getByTestId('rotate-now').click();
  await page.getByTestId('rotation-reason').fill('Key leaked in a CI log');
  await page.getByTestId('rotation-submit').click();
  await expect(page.getByTestId('api-key-once')).toBeVisible();
  await expect(page.getByTestId('api-key-countdown')).toContainText(/Hidden in 1[45]:\d\d/);
  // Masked until asked for.
  const stored = (await kv.read(path))!.data;
  await expect(page.getByTestId('api-key-value')).toHaveText(`${String(stored.prefix)}${'•'.repeat(16)}`);
  await page.getByTestId('api-key-toggle').click();
  const key = (await page.getByTestId('api-key-value').textContent())!.trim();
  expect(key).toMatch(/^pm_(live|test)_[A-Za-z0-9]{40}$/);
  // Vault holds only its hash: the key shown is the key Vault will accept.
  expect(stored.hash).toBe(`sha256:${createHash('sha256').update(key).digest('hex')}`);
  expect(JSON.stringify(stored)).not.toContain(key);
  // Copy: main writes it from its own buffer (the page never sends it back).
  await page.getByTestId('api-key-copy').click();
  await expect(page.getByTestId('api-key-copied')).toBeVisible();
  expect(harness.clipboard.readText()).toBe(key);
  // Close: the key leaves the page, main wipes its copy and clears the clipboard.
  await page.getByTestId('rotation-close').click();
  await expect(page.getByTestId('rotate-dialog')).toHaveCount(0);
  expect(await page.content()).not.toContain(key);
  await expect.poll(() => harness.clipboard.readText()).toBe('');
  expect(harness.services.rotation.apiKeys.activeCount).toBe(0);
});

test('a bulk job killed mid-way resumes by itself when the console starts and the same person signs in, and the panel shows it', async ({ page }) => {
  test.setTimeout(180_000);
  const N = 150;
  const m2 = `rot-e2e-auto-${Date.now().toString(36)}`;
  await createKvV2Mount(root, m2);
  const kv2 = createKvStore(root, m2);
  await seedTenants({ client: root, mount: m2, count: N, concurrency: 8, seed: 'rot-e2e-auto', dkimPoolSize: 2, logger: quiet });
  const dataDir = mkdtempSync(join(tmpdir(), 'rot-e2e-auto-'));
  // The CLI runs the job in its own process and dies (SIGKILL) a quarter of the way in.
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'src', 'main', 'cli.ts'), 'rotate', '-all=smtp', '-yes', '-concurrency=1', `-mount=${m2}`, `-data-dir=${dataDir}`, '-reason=e2e crash'], {
    cwd: join(__dirname, '..', '..'),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', VAULT_ADDR: state.openbao.addr, VAULT_TOKEN: state.openbao.rootToken },
    stdio: 'ignore',
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_c, sig) => resolve(sig)));
  const dbPath = join(dataDir, DATABASE_FILE);
  let jobId = '';
  for (let i = 0; i < 3000 && !jobId; i++) {
    await new Promise((r) => setTimeout(r, 10));
    try {
      const db = openDatabase(dbPath, { readonly: true });
      try {
        const done = (db.prepare("SELECT count(*) AS n FROM rotation_job_items WHERE state = 'done'").get() as { n: number }).n;
        if (done >= N / 4) {
          child.kill('SIGKILL');
          jobId = (db.prepare('SELECT id FROM rotation_jobs').get() as { id: string }).id;
        }
      } finally {
        db.close();
      }
    } catch {
      // Not created yet.
    }
  }
  expect(await exited).toBe('SIGKILL');
  expect(jobId).not.toBe('');

  // The console starts on that data; nothing runs until someone signs in.
  const h2 = await startHarness({ env: { VAULT_ADDR: state.openbao.addr, VAULT_CONSOLE_KV_MOUNT: m2 }, build: 'never', dataDir, keychainService: `vault-console-e2e-rotation-auto-${Date.now()}` });
  try {
    expect(h2.services.rotation.summary(jobId).status).toBe('interrupted');
    await openRotation(page, h2);
    const row = page.locator(`[data-testid="bulk-job"][data-job-id="${jobId}"]`);
    await expect(row).toBeVisible();
    await expect(row).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
    await expect(row.getByTestId('bulk-job-progress')).toContainText(`done ${N} · failed 0 · skipped 0 · remaining 0`);
    // Vault: every secret rotated exactly once, by this job.
    for (let i = 1; i <= N; i++) {
      const p = `t-${String(i).padStart(6, '0')}/smtp/admin`;
      const r = (await kv2.read(p))!;
      expect(r.version, p).toBe(2);
      expect(r.data.rotation_job).toBe(jobId);
    }
  } finally {
    await h2.close();
    await root.request('DELETE', `sys/mounts/${m2}`).catch(() => undefined);
  }
});
