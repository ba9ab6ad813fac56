// Issue 13.2, against the real OpenBao: a bulk "overdue" job used to rotate API keys too,
// throwing each new key away (Vault keeps only its hash), which silently broke every
// tenant whose key was overdue. Bulk jobs leave API keys out: the preview lists them to
// rotate one by one (the new key is shown once), the inventory's overdue filter still
// shows them, and even a job made by an older console that lists an API key skips it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantSearchInputSchema } from '../../../src/shared/contracts/inventory';
import { isOverdue } from '../../../src/shared/rotation/rules';
import { InventoryService } from '../../../src/main/services/inventory/inventory-service';
import { InventoryRepo } from '../../../src/main/services/storage/inventory-repo';
import { RotationRepo } from '../../../src/main/services/storage/rotation-repo';
import { systemClock } from '../../../src/main/services/time/clock';
import { createKvStore, type KvStore } from '../../../src/main/services/vault/kv';
import type { VaultClient } from '../../../src/main/services/vault/vault-client';
import { loadTestServices, type ServicesState } from '../helpers/services';
import { freshMount, newService, quiet, rootClient, seed, tempDir } from './rotation-helpers';

let s: ServicesState;
let root: VaultClient;
const REPO = join(__dirname, '..', '..', '..');

beforeAll(async () => {
  s = await loadTestServices();
  root = rootClient(s);
});
afterAll(() => root?.close());

async function apiKeys(kv: KvStore): Promise<Map<string, { version: number; hash: unknown; overdue: boolean }>> {
  const out = new Map<string, { version: number; hash: unknown; overdue: boolean }>();
  for (const t of (await kv.list('')).filter((k) => k.endsWith('/'))) {
    for (const leaf of await kv.list(`${t}api`)) {
      const path = `${t}api/${leaf}`;
      const d = (await kv.read(path))!;
      out.set(path, { version: d.version, hash: d.data.hash, overdue: isOverdue((await kv.readMetadata(path))!.customMetadata, Date.now()) });
    }
  }
  return out;
}

/** Makes every API key overdue (active, next_rotation in the past), as a year without rotation would. */
async function makeApiKeysOverdue(kv: KvStore, paths: Iterable<string>): Promise<void> {
  for (const path of paths) {
    const md = (await kv.readMetadata(path))!.customMetadata;
    if (md.status === 'revoked') continue;
    await kv.writeMetadata(path, { customMetadata: { ...md, status: 'active', next_rotation: '2020-01-01T00:00:00.000Z' } });
  }
}

describe('bulk jobs and API keys', () => {
  it('"rotate overdue" (from Vault and from the local index) lists overdue API keys to rotate one by one and rotates none of them', async () => {
    const mount = await freshMount(root, 'rot-api');
    const kv = createKvStore(root, mount);
    await seed(root, mount, 10, 'rot-api');
    await makeApiKeysOverdue(kv, (await apiKeys(kv)).keys());
    const before = await apiKeys(kv);
    const overdueKeys = [...before].filter(([, k]) => k.overdue).map(([p]) => p).sort();
    expect(overdueKeys.length).toBeGreaterThan(5);

    // The inventory's overdue filter shows them (that is where an admin finds them).
    const dir = tempDir('rot-api-');
    const { service, db } = newService(root, mount, {}, dir);
    const index = new InventoryRepo(db);
    await new InventoryService({ repo: index, clock: systemClock, client: () => root, mount: () => mount, logger: quiet, concurrency: 4 }).sync({ mode: 'full' });
    const listed = index.search(TenantSearchInputSchema.parse({ type: 'api', due: 'overdue', limit: 1000 }), Date.now()).rows.map((r) => r.tenantId);
    expect(listed.sort()).toEqual([...new Set(overdueKeys.map((p) => p.split('/')[0]!))].sort());

    for (const fromIndex of [false, true]) {
      const { service: svc } = fromIndex
        ? { service: newService(root, mount, { index: { repo: index, usable: () => true } }, dir).service }
        : { service };
      const p = await svc.preview({ mode: 'overdue' });
      expect(p.source).toBe(fromIndex ? 'index' : 'vault');
      expect(p.byType.api).toBe(0);
      expect(p.apiKeys.total).toBe(overdueKeys.length);
      expect(p.apiKeys.items.map((k) => k.path).sort()).toEqual(overdueKeys);
      expect(p.sample.some((x) => x.includes('/api/'))).toBe(false);
      // Scoped to API keys: nothing to rotate in bulk, everything listed.
      const onlyApi = await svc.preview({ mode: 'overdue', types: ['api'] });
      expect(onlyApi).toMatchObject({ total: 0, apiKeys: { total: overdueKeys.length } });
      await expect(svc.start(onlyApi.previewId, onlyApi.confirmPhrase, 'x')).rejects.toMatchObject({ code: 'BAD_INPUT', message: 'Nothing to rotate.' });
      if (!fromIndex) {
        const job = await svc.start(p.previewId, p.confirmPhrase, 'overdue, not API keys');
        expect((await svc.wait(job.id)).status).toBe('completed');
      }
    }
    // Every API key is as it was: same version, same hash (no new key thrown away).
    const after = await apiKeys(kv);
    for (const [path, k] of before) expect(after.get(path), path).toEqual(k);
  }, 120_000);

  it('a job made by an older console that lists API keys skips them on resume, with the reason', async () => {
    const mount = await freshMount(root, 'rot-api-old');
    const kv = createKvStore(root, mount);
    await seed(root, mount, 2, 'rot-api-old');
    const keys = [...(await apiKeys(kv)).keys()].sort();
    const dir = tempDir('rot-api-old-');
    const { service, db } = newService(root, mount, {}, dir);
    // What an older console stored: an overdue job with API keys, no previewed versions, interrupted.
    const repo = new RotationRepo(db);
    repo.createJob(
      { id: 'job-20260101-0a0b0c0d', kind: 'overdue', label: 'Rotate overdue secrets', selection_json: JSON.stringify({ mode: 'overdue', cluster: null }), mount, status: 'interrupted', actor: 'admin', reason: 'old job', concurrency: 2, fail_threshold: 0.2, created_at: new Date().toISOString() },
      keys.map((path) => ({ tenantId: path.split('/')[0]!, path, baseVersion: 0 })),
    );
    const before = await apiKeys(kv);
    service.resume('job-20260101-0a0b0c0d');
    const end = await service.wait('job-20260101-0a0b0c0d');
    expect(end).toMatchObject({ status: 'completed', done: 0, failed: 0, skipped: keys.length });
    expect(service.report('job-20260101-0a0b0c0d').skippedItems.map((k) => k.reason)).toEqual(Array(keys.length).fill('API keys are not rotated by bulk jobs: rotate one by one (the new key is shown once).'));
    expect(await apiKeys(kv)).toEqual(before);
  }, 60_000);

  it('CLI: "rotate -overdue -type=api -yes" rotates nothing and lists each key to rotate one by one', async () => {
    const mount = await freshMount(root, 'rot-api-cli');
    const kv = createKvStore(root, mount);
    await seed(root, mount, 3, 'rot-api-cli');
    await makeApiKeysOverdue(kv, (await apiKeys(kv)).keys());
    const before = await apiKeys(kv);
    const overdueKeys = [...before].filter(([, k]) => k.overdue).map(([p]) => p);
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'main', 'cli.ts'), 'rotate', '-overdue', '-type=api', '-yes', `-mount=${mount}`, `-data-dir=${tempDir('rot-api-cli-')}`], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', VAULT_ADDR: s.openbao.addr, VAULT_TOKEN: s.openbao.rootToken },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stderr).toContain(`[rotate] left out: ${overdueKeys.length} API key(s), rotate one by one (the new key is shown once)`);
    for (const path of overdueKeys) expect(stdout).toContain(`ONE-BY-ONE  ${path}  API key: rotate one by one (the new key is shown once)`);
    expect(stdout).toContain('Nothing to rotate.');
    expect(await apiKeys(kv)).toEqual(before);
  }, 60_000);
});
