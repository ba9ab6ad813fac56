// The inventory's own Vault actions carry the console's audited header, so Vault's audit
// log names them and joins them with the console's record: the SSH key download (the data
// read and the last_downloaded write) and an API key revoke.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionFromEnv } from '../../../src/main/services/config/app-config';
import { DATABASE_FILE } from '../../../src/main/services/container';
import { InventoryService, type InventoryAuditEvent } from '../../../src/main/services/inventory/inventory-service';
import { seedTenants } from '../../../src/main/services/seed/seeder';
import { openDatabase } from '../../../src/main/services/storage/database';
import { InventoryRepo } from '../../../src/main/services/storage/inventory-repo';
import { systemClock } from '../../../src/main/services/time/clock';
import { createKvV2Mount } from '../../../src/main/services/vault/kv';
import { stampsMountOf } from '../../../src/main/services/vault/tenant-stamps';
import { createVaultClient, type VaultClient } from '../../../src/main/services/vault/vault-client';
import { loadTestServices, type ServicesState } from '../helpers/services';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
let s: ServicesState;
let root: VaultClient;
let mount = '';
const dir = mkdtempSync(join(tmpdir(), 'inv-actions-'));

interface AuditLine {
  type: string;
  request?: { path?: string; operation?: string; headers?: Record<string, string[]> };
}

function vaultEntriesTagged(req: string): AuditLine[] {
  return readFileSync(s.openbao.auditLogPath, 'utf8')
    .split('\n')
    .filter((l) => l.includes(req))
    .map((l) => JSON.parse(l) as AuditLine);
}

beforeAll(async () => {
  s = await loadTestServices();
  root = createVaultClient(connectionFromEnv({ VAULT_ADDR: s.openbao.addr }), s.openbao.rootToken);
  mount = `inv-act-${Date.now().toString(36)}`;
  await createKvV2Mount(root, mount);
  await createKvV2Mount(root, stampsMountOf(mount));
  await seedTenants({ client: root, mount, count: 2, concurrency: 2, seed: 'inv-act', dkimPoolSize: 1, logger: quiet });
});

afterAll(async () => {
  for (const m of [mount, stampsMountOf(mount)]) await root?.request('DELETE', `sys/mounts/${m}`).catch(() => undefined);
  root?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the inventory's Vault actions in Vault's audit log", () => {
  it('download and revoke carry X-Vault-Console-Action with the id of the console record', async () => {
    const events: InventoryAuditEvent[] = [];
    const keyFile = join(dir, 'tenant_key');
    const db = openDatabase(join(dir, DATABASE_FILE));
    const inv = new InventoryService({
      repo: new InventoryRepo(db),
      clock: systemClock,
      client: () => root,
      mount: () => mount,
      logger: quiet,
      savePath: { pick: async () => keyFile },
      audit: { record: (e) => void events.push(e) },
      actor: () => 'alice',
    });
    try {
      await inv.sync({ mode: 'full' });
      const dl = await inv.downloadSshKey('t-000001');
      expect(dl.saved).toBe(true);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const key = inv.show('t-000002').apiKeys.find((k) => k.status === 'active');
      expect(key).toBeDefined();
      await inv.revokeApiKey('t-000002', key!.keyId, key!.keyId);

      const download = events.find((e) => e.action === 'download' && e.outcome === 'ok')!;
      const revoke = events.find((e) => e.action === 'revoke' && e.outcome === 'ok')!;
      expect(download.requestId).toMatch(/^vc-[0-9a-f]{16}$/);
      expect(revoke.requestId).toMatch(/^vc-[0-9a-f]{16}$/);

      const dlLines = vaultEntriesTagged(download.requestId!).filter((l) => l.type === 'request');
      // The key read (data) and the last_downloaded write (metadata), both tagged.
      expect(dlLines.map((l) => `${l.request!.operation} ${l.request!.path}`)).toEqual(
        expect.arrayContaining([`read ${mount}/data/t-000001/ssh/tenant`, `patch ${mount}/metadata/t-000001/ssh/tenant`]),
      );
      for (const l of dlLines) expect(l.request!.headers!['x-vault-console-action']).toEqual([`action=download;req=${download.requestId}`]);
      const rvLines = vaultEntriesTagged(revoke.requestId!).filter((l) => l.type === 'request');
      expect(rvLines.map((l) => `${l.request!.operation} ${l.request!.path}`)).toContain(`patch ${mount}/metadata/t-000002/api/${key!.keyId}`);
      for (const l of rvLines) expect(l.request!.headers!['x-vault-console-action']).toEqual([`action=revoke;req=${revoke.requestId}`]);
    } finally {
      db.close();
    }
  });
});
