// Issue 17, items 2 and 3: every action button of every view, walked as the admin and as
// the auditor, in Chromium through the harness against the real OpenBao policies. Each
// button is either an action gated on the identity's Vault capabilities for its exact
// paths (then: enabled, or disabled with the reason next to it, naming that path and the
// missing capability, reachable by keyboard), or a local one listed below with why it
// needs no Vault permission. A new button that is neither fails this test.
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { expect, test, type Page } from '@playwright/test';
import { connectionFromEnv } from '../../src/main/services/config/app-config';
import { seedTenants } from '../../src/main/services/seed/seeder';
import { createVaultClient } from '../../src/main/services/vault/vault-client';
import { startHarness, type Harness } from '../harness/harness';
import { startS3, type S3Instance } from '../services/s3/s3-server';
import { readE2eState } from './support/e2e-state';

const state = readE2eState();
const TENANT = 't-982001';
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
let harness: Harness;
let s3: S3Instance;
let dkimDomain: string;
const SECOND_ADMIN = { username: `walk-admin-b-${randomBytes(2).toString('hex')}`, password: randomBytes(12).toString('base64url') };

/** Buttons that start nothing in Vault: navigation, views, local files and settings, cancel/close. */
const LOCAL: Record<string, string> = {
  refresh: 'reloads the dashboard',
  'details-close': 'closes the panel',
  'api-usage-toggle': 'shows a chart of indexed data',
  'sync-cancel': 'stops a local sync',
  'tenant-open': 'opens a row',
  'audit-pause': 'pauses the local view',
  'audit-follow-choose': "opens main's file dialog (a local file)",
  'audit-export-csv': 'writes the local index to a file',
  'audit-export-json': 'writes the local index to a file',
  'audit-export-ndjson': 'writes the local index to a file',
  'audit-alert-close': 'closes a list',
  'import-submit': 'imports local files',
  'import-choose': "opens main's file dialog (local files)",
  'retention-save': 'local retention settings',
  'archive-month': 'local archive',
  'reopen-month': 'local archive',
  'alert-settings-save': 'local thresholds',
  'audit-source-save': "this profile's audit source: a local setting (the credential to the OS keychain)",
  'audit-source-test': 'asks the audit source (local store or VictoriaLogs, read-only), not Vault',
  'backup-settings-toggle': 'shows the form',
  'backup-settings-save': 'local settings and the OS keychain',
  'backup-cancel': 'stops a local run',
  'enrolment-drop': 'drops a QR code from the screen',
  'profile-new': 'local connection profiles',
  'profile-save': 'local connection profiles',
  'dkim-edit-resolvers': 'opens the local resolver list of this profile',
  'dkim-resolvers-save': 'the local resolver list of this profile',
  'incident-list': 'lists from the local audit store (and reads metadata the session may read)',
  'evidence-export': 'writes the local audit store to a signed pack',
  'evidence-show-key': 'the public key from the OS keychain',
  'evidence-save-key': 'writes the public key to a file',
  'evidence-verify': 'verifies a pack on disk',
  'soc2-generate': 'the local stores and what the session may read, written to local files',
  'health-backup-history': 'opens the Backups view',
  'smtp-audit-trail': 'opens the audit view on the locally indexed events of that credential',
  'audit-trail-clear': 'clears the audit view filter',
  'tenants-clear-filters': 'clears the tenant list filters',
  'api-usage-daily': 'switches the chart period',
  'api-usage-monthly': 'switches the chart period',
  'dns-copy': 'copies a public DNS record shown on screen',
  'dns-copy-zone': 'copies a public DNS record shown on screen',
  Close: 'closes a dialog',
  Cancel: 'closes a form',
};
/** Local by pattern: tabs, sort headers, alert chips, profile rows. */
const LOCAL_PATTERNS = [/^audit-tab-/, /^sort-/, /^audit-alert-/, /^profile-(activate|delete|edit)-/, /^Edit$/, /^Remove$/];
/**
 * Bulk jobs (the rotation panel, and "Rotate what this filter shows" in the tenant list) only
 * open a preview, which asks sys/capabilities-self for every path the job would touch and lists
 * what it leaves out and why; main asks again at start. Walked in rotation-bulk-safety.spec.ts.
 * The incident view's "Rotate all of it…" is such a preview too (incident-evidence.spec.ts).
 */
const ELSEWHERE = [/^bulk-/, /^rotate-filter-button$/, /^incident-(preview|start|job-)/];

/** true: enabled; a pattern: disabled with that reason; a function: the pattern for the row (its key id). */
type Expect = true | RegExp | ((row: string | null) => RegExp);
const AUDITOR = '; not granted to your policies \\(vault-console-auditor\\)\\.$';
const t = TENANT;
const need = (what: string) => new RegExp(`^Needs ${what}${AUDITOR}`);

/** What each gated button must say, per role (a test id, with its card or row for repeated ones). */
function expected(role: 'admin' | 'auditor'): Record<string, Expect> {
  const admin = role === 'admin';
  const a = (r: RegExp | ((row: string | null) => RegExp)): Expect => (admin ? true : r);
  return {
    'seal-open': a(need('update and sudo on sys/seal')),
    // Both policies may list audit devices (read and sudo on sys/audit).
    'audit-follow-vault': true,
    sync: true,
    'sync-full': true,
    'ssh-admin/ssh-admin-history': true,
    'ssh-tenant/ssh-tenant-history': true,
    'smtp-actions/smtp-history': true,
    'dkim-row/dkim-history': true,
    'api-row/api-history': true,
    'ssh-admin/rotate-now': a(need(`read and update on tenants/data/${t}/ssh/admin`)),
    'ssh-tenant/rotate-now': a(need(`read and update on tenants/data/${t}/ssh/tenant`)),
    // The issue: it cited tenants/data/<tenant>/smtp/admin.
    'ssh-tenant/ssh-tenant-download': a(need(`read on tenants/data/${t}/ssh/tenant`)),
    'ssh-actions/emergency-reset': a(need(`read and update on tenants/data/${t}/ssh/admin`)),
    'smtp-actions/view-credentials': a(need(`read on tenants/data/${t}/smtp/admin`)),
    'smtp-actions/rotate-now': a(need(`read and update on tenants/data/${t}/smtp/admin`)),
    'smtp-actions/emergency-reset': a(need(`read and update on tenants/data/${t}/smtp/admin`)),
    // The issue: DKIM "Rotate Now" cited the SMTP credentials too.
    'dkim-row/rotate-now': a(need(`read and update on tenants/data/${t}/dkim/${dkimDomain.replaceAll('.', '\\.')}`)),
    'dkim-row/dkim-dns': a(need(`read on tenants/data/${t}/dkim/${dkimDomain.replaceAll('.', '\\.')}`)),
    // Check DNS now reads each key and records what DNS showed in its metadata.
    'dkim-check-dns': a(need(`read on tenants/data/${t}/dkim/${dkimDomain.replaceAll('.', '\\.')}`)),
    // Each row's button names that row's key.
    'api-row/api-revoke': a((row) => need(`patch on tenants/metadata/${t}/api/${row ?? 'none'}`)),
    'approval-request-submit': a(need('create on tenants-approvals/data/requests/apr-0000000000000000')),
    // The admin requested the pending one: a second admin must approve it.
    'approval-row/approval-approve': admin ? /^You requested this deletion: a second admin must approve it\.$/ : need('read and update on tenants-approvals/data/requests/apr-[0-9a-f]{16}'),
    'approval-row/approval-delete': a(need('read and update on tenants-approvals/data/requests/apr-[0-9a-f]{16}')),
    'backup-run': a(need('update on transit/encrypt/vault-console-backup')),
    // Health's quick action starts the same backup.
    'health-force-backup': a(need('update on transit/encrypt/vault-console-backup')),
    'backup-history/backup-restore': a(need('update on transit/decrypt/vault-console-backup')),
    'rotate-one/rotate-now': a(need(`read and update on tenants/data/${t}/ssh/admin`)),
    'rotate-one/emergency-reset': a(need(`read and update on tenants/data/${t}/ssh/admin`)),
    'schedules-save': a(need('read and (create|update) on tenants/data/_rotation-schedules')),
    'grant-submit': a(need('update on identity/lookup/entity')),
  };
}

/** The scope a repeated button is named by (its card, row or section). */
const SCOPES = ['ssh-admin', 'ssh-tenant', 'ssh-actions', 'smtp-actions', 'dkim-row', 'api-row', 'approval-row', 'backup-history', 'rotate-one'];

interface Seen {
  key: string;
  gated: boolean;
  allowed: boolean;
  reason: string | null;
  describedBy: string | null;
  reasonId: string | null;
  /** The API key id of the row the button is in, if any. */
  row: string | null;
}

/** Every button in the view (not the nav or the header), with what its gate says. */
async function buttonsOf(page: Page): Promise<Seen[]> {
  // Wait until no gate is still asking.
  await expect(page.locator('.app-main [data-checking="true"]')).toHaveCount(0, { timeout: 20_000 });
  return page.locator('.app-main button').evaluateAll((els, [scopes, tenant]) =>
    els
      .filter((el) => (el as unknown as { offsetParent: unknown }).offsetParent !== null)
      .map((el) => {
        const id = el.getAttribute('data-testid') ?? (el.textContent ?? '').trim();
        const base = id.replace(/-\d{8}T\d{6}Z-[0-9a-f]{6}$/, '');
        let scope: string | null = null;
        let row: string | null = null;
        for (let p = el.parentElement; p; p = p.parentElement) {
          const tid = p.getAttribute('data-testid');
          if (tid && scopes.includes(tid)) {
            // Deletion requests are shared in Vault: other specs' rows are theirs, not walked here.
            scope = tid === 'approval-row' && !(p.textContent ?? '').includes(tenant) ? 'approval-row-other' : tid;
            row = p.getAttribute('data-key-id');
            break;
          }
        }
        const gate = el.closest('.gated');
        const reasonEl = gate?.querySelector('.gate-reason') ?? null;
        return {
          key: scope ? `${scope}/${base}` : base,
          gated: gate !== null && gate.getAttribute('data-gate') !== 'local',
          allowed: gate ? gate.getAttribute('data-allowed') === 'true' : !(el as unknown as { disabled: boolean }).disabled,
          reason: reasonEl?.textContent ?? null,
          describedBy: el.getAttribute('aria-describedby'),
          reasonId: reasonEl?.id ?? null,
          row,
        };
      }),
    [SCOPES, TENANT] as const,
  );
}

/** Each view as the role sees it, kept with the test's artefacts. */
async function shoot(page: Page, role: string, view: string): Promise<void> {
  await page.screenshot({ path: test.info().outputPath(`${role}-${view.replaceAll(' ', '-')}.png`), fullPage: true });
}

function check(role: 'admin' | 'auditor', view: string, seen: Seen[], walked: Set<string>): void {
  const want = expected(role);
  for (const b of seen) {
    const bare = b.key.split('/').pop()!;
    if (ELSEWHERE.some((r) => r.test(bare)) || b.key.startsWith('approval-row-other/')) continue;
    if (!b.gated) {
      expect(LOCAL[bare] !== undefined || LOCAL_PATTERNS.some((r) => r.test(bare)), `${role} ${view}: "${b.key}" is neither gated on Vault capabilities nor a local button`).toBe(true);
      continue;
    }
    const w = want[b.key];
    expect(w, `${role} ${view}: gated button "${b.key}" has no expectation`).toBeDefined();
    walked.add(b.key);
    if (w === true) {
      expect(b.allowed, `${role} ${view}: "${b.key}" should be enabled (reason shown: ${b.reason})`).toBe(true);
    } else {
      expect(b.allowed, `${role} ${view}: "${b.key}" should be disabled`).toBe(false);
      expect(b.reason, `${role} ${view}: "${b.key}" reason`).toMatch(typeof w === 'function' ? w(b.row) : w!);
      // The reason is tied to the button for keyboard and screen reader users.
      expect(b.describedBy, `${role} ${view}: "${b.key}" aria-describedby`).toBe(b.reasonId);
    }
  }
}

async function signIn(page: Page, who: { username: string; password: string }): Promise<void> {
  await page.goto(harness.url);
  await expect(page.getByTestId('session-sign-out').or(page.getByTestId('session-sign-in'))).toBeVisible();
  if (await page.getByTestId('session-sign-out').isVisible()) {
    await page.getByTestId('session-sign-out').click();
    await expect(page.getByTestId('session-sign-in')).toBeVisible();
  }
  await page.getByTestId('session-sign-in').click();
  await page.getByTestId('sign-in-username').fill(who.username);
  await page.getByTestId('sign-in-password').fill(who.password);
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('session-user')).toContainText(who.username);
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  const root = createVaultClient(connectionFromEnv({ VAULT_ADDR: state.openbao.addr }), state.openbao.rootToken);
  try {
    await seedTenants({ client: root, count: 1, startIndex: 982001, dkimPoolSize: 1, logger: quiet });
    dkimDomain = (await root.request<{ data: { keys: string[] } }>('LIST', `tenants/metadata/${TENANT}/dkim`)).data.keys[0]!;
    await root.request('POST', `auth/userpass/users/${SECOND_ADMIN.username}`, { password: SECOND_ADMIN.password, token_policies: 'vault-console-admin' });
  } finally {
    root.close();
  }
  harness = await startHarness({ env: { VAULT_ADDR: state.openbao.addr }, build: 'never', keychainService: `vault-console-e2e-walk-${randomBytes(3).toString('hex')}` });
  // Backups configured, with one completed backup, so Force Backup Now and Restore show.
  s3 = await startS3();
  const bucket = `vc-walk-${randomBytes(4).toString('hex')}`;
  const c = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  await c.send(new CreateBucketCommand({ Bucket: bucket }));
  c.destroy();
  const sv = harness.services;
  await sv.backupSettings.save({ bucket, endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
  await sv.session.loginUserpass(state.openbao.users.admin.username, state.openbao.users.admin.password);
  const done = await sv.backup.run({ kind: 'raft' });
  expect(done.status).toBe('completed');
  // Deletion requests by the admin: one pending, one approved by a second admin.
  await sv.audit.approvals.request(`${TENANT}/dkim/${dkimDomain}`, 'walk: pending');
  const second = await sv.audit.approvals.request(`${TENANT}/smtp/admin`, 'walk: approved');
  await sv.session.logout();
  await sv.session.loginUserpass(SECOND_ADMIN.username, SECOND_ADMIN.password);
  await sv.audit.approvals.approve(second.id);
  await sv.session.logout();
});

test.afterAll(async () => {
  await harness?.close();
  await s3?.stop({ removeData: true });
});

for (const role of ['admin', 'auditor'] as const) {
  test(`every action button of every view, as the ${role}: enabled, or disabled with the exact path and capability`, async ({ page }) => {
    test.setTimeout(180_000);
    await signIn(page, state.openbao.users[role]);
    const walked = new Set<string>();

    await page.getByTestId('nav-health').click();
    await expect(page.getByTestId('seal-panel')).toBeVisible();
    check(role, 'health', await buttonsOf(page), walked);
    await shoot(page, role, 'health');

    await page.getByTestId('nav-connections').click();
    check(role, 'connections', await buttonsOf(page), walked);
    await shoot(page, role, 'connections');

    await page.getByTestId('nav-tenants').click();
    await expect(page.getByTestId('tenants-view')).toBeVisible();
    check(role, 'tenants', await buttonsOf(page), walked);
    await shoot(page, role, 'tenants');
    await page.getByTestId('sync-full').click();
    await page.getByTestId('tenant-search').fill(TENANT);
    await expect(page.getByTestId('result-count')).toHaveText('1 tenant', { timeout: 30_000 });
    await page.getByTestId('tenant-row').first().getByTestId('tenant-open').click();
    await expect(page.getByTestId('tenant-details')).toBeVisible();
    await expect(page.getByTestId('dkim-row').first()).toBeVisible();
    check(role, 'tenant details', await buttonsOf(page), walked);
    await shoot(page, role, 'tenant details');

    await page.getByTestId('nav-audit').click();
    for (const tab of ['events', 'approvals', 'alert-settings', 'import', 'archives', 'evidence', 'source']) {
      await page.getByTestId(`audit-tab-${tab}`).click();
      if (tab === 'approvals' && role === 'admin') await expect(page.getByTestId('approval-row').filter({ hasText: TENANT })).toHaveCount(2);
      check(role, `audit ${tab}`, await buttonsOf(page), walked);
      await shoot(page, role, `audit ${tab}`);
    }

    await page.getByTestId('nav-backups').click();
    await expect(page.getByTestId('backup-history')).toBeVisible();
    check(role, 'backups', await buttonsOf(page), walked);
    await shoot(page, role, 'backups');

    await page.getByTestId('nav-rotation').click();
    await page.getByTestId('rotate-one-tenant').fill(TENANT);
    await page.getByTestId('rotate-one-target').fill('ssh-admin');
    await expect(page.getByTestId('rotation-schedules').or(page.getByText('Loading schedules…'))).toBeVisible();
    check(role, 'rotation', await buttonsOf(page), walked);
    await shoot(page, role, 'rotation');

    await page.getByTestId('nav-incident').click();
    await expect(page.getByTestId('incident-view')).toBeVisible();
    check(role, 'incident', await buttonsOf(page), walked);
    await shoot(page, role, 'incident');

    await page.getByTestId('nav-compliance').click();
    await expect(page.getByTestId('compliance-view')).toBeVisible();
    check(role, 'compliance', await buttonsOf(page), walked);
    await shoot(page, role, 'compliance');

    await page.getByTestId('nav-enrolment').click();
    await expect(page.getByTestId('enrolment-view')).toBeVisible();
    await page.getByTestId('grant-username').fill('someone-else');
    check(role, 'two-factor', await buttonsOf(page), walked);
    await shoot(page, role, 'two-factor');

    // Every expectation was met by a button on screen (none silently missing).
    const missing = Object.keys(expected(role)).filter((k) => !walked.has(k) && !(role === 'auditor' && k.startsWith('approval-row/')));
    expect(missing, `${role}: expected buttons not found`).toEqual([]);

    if (role === 'auditor') {
      // The reason is reachable by keyboard: the disabled button takes focus and names it.
      const download = page.getByTestId('nav-tenants');
      await download.click();
      const btn = page.getByTestId('ssh-tenant').getByTestId('ssh-tenant-download');
      await btn.focus();
      await expect(btn).toBeFocused();
      await expect(btn).toHaveAttribute('aria-disabled', 'true');
      await expect(btn).toHaveAccessibleDescription(`Needs read on tenants/data/${TENANT}/ssh/tenant; not granted to your policies (vault-console-auditor).`);
      // Pressing it does nothing.
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('details-notice')).toHaveCount(0);
      // And it looks disabled (CSS), unlike an enabled button next to it.
      await btn.blur();
      const [off, on] = await Promise.all([btn.evaluate((e) => (globalThis as unknown as { getComputedStyle(x: unknown): { opacity: string } }).getComputedStyle(e).opacity), page.getByTestId('ssh-tenant').getByTestId('ssh-tenant-history').evaluate((e) => (globalThis as unknown as { getComputedStyle(x: unknown): { opacity: string } }).getComputedStyle(e).opacity)]);
      expect(Number(off)).toBeLessThan(0.7);
      expect(Number(on)).toBe(1);
    }
  });
}
