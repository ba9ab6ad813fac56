// Bad input for the inventory's actions: every case gets a clear error and loses nothing.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../../../src/main/cli/run';
import { InventoryService } from '../../../../../src/main/services/inventory/inventory-service';
import { checkTenantPath, writeFileAtomic0600 } from '../../../../../src/main/services/inventory/tenant-details';
import { openDatabase } from '../../../../../src/main/services/storage/database';
import { InventoryRepo } from '../../../../../src/main/services/storage/inventory-repo';
import { ManualClock } from '../../../../../src/main/services/time/clock';
import type { VaultClient } from '../../../../../src/main/services/vault/vault-client';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

function service(calls: string[]) {
  const client = {
    request: async (method: string, path: string) => {
      calls.push(`${method} ${path}`);
      throw new Error('no Vault in unit tests');
    },
  } as unknown as VaultClient;
  return new InventoryService({ repo: new InventoryRepo(openDatabase(':memory:')), clock: new ManualClock(Date.parse('2026-06-01T00:00:00Z')), client: () => client, mount: () => 'tenants', logger: quiet });
}

describe('writeFileAtomic0600', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inv-unit-'));

  it('writes the file with mode 0600 and leaves no temp file behind', async () => {
    const target = join(dir, 'key');
    writeFileSync(target, 'old', { mode: 0o644 });
    await writeFileAtomic0600(target, 'new key\n');
    expect(readFileSync(target, 'utf8')).toBe('new key\n');
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a relative path, a missing folder and a folder as target, with the reason', async () => {
    await expect(writeFileAtomic0600('relative/key', 'x')).rejects.toMatchObject({ code: 'BAD_INPUT', message: /absolute/ });
    await expect(writeFileAtomic0600(join(dir, 'nope', 'key'), 'x')).rejects.toMatchObject({ code: 'BAD_INPUT', message: /does not exist/ });
    mkdirSync(join(dir, 'sub'));
    await expect(writeFileAtomic0600(join(dir, 'sub'), 'x')).rejects.toMatchObject({ code: 'BAD_INPUT', message: /is a folder/ });
  });
});

describe('inventory actions: bad input', () => {
  it('revoking an API key without repeating its id is refused before any Vault call', async () => {
    const calls: string[] = [];
    await expect(service(calls).revokeApiKey('t-000001', 'ak_0123456789abcdef', 'ak_wrong')).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(calls).toEqual([]);
  });

  it('history and DNS records only for paths inside the tenant and in the layout', async () => {
    expect(() => checkTenantPath('t-1', 't-2/ssh/admin')).toThrow(/not inside this tenant/);
    expect(() => checkTenantPath('t-1', 't-1/../t-2/ssh/admin')).toThrow(/not part of the tenant layout|invalid segment/);
    expect(() => checkTenantPath('t-1', 't-1/secret/other')).toThrow(/not part of the tenant layout/);
    expect(checkTenantPath('t-1', 't-1/dkim/mail.example.com')).toBe('dkim/mail.example.com');
    const calls: string[] = [];
    await expect(service(calls).history('t-1', 't-2/ssh/admin')).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(calls).toEqual([]);
  });

  it('showing a tenant that is not in the index says so', () => {
    expect(() => service([]).show('t-404')).toThrow(/not in the index/);
  });

  it('a download with no save dialog available fails clearly', async () => {
    await expect(service([]).downloadSshKey('t-000001')).rejects.toMatchObject({ code: 'INTERNAL', message: /No save dialog/ });
  });
});

describe('vault-console tenants (no Vault needed for search/show)', () => {
  const out = () => {
    const o = { stdout: '', stderr: '' };
    return { o, io: { stdout: { write: (s: string) => (o.stdout += s) }, stderr: { write: (s: string) => (o.stderr += s) }, env: { VAULT_CONSOLE_DATA_DIR: mkdtempSync(join(tmpdir(), 'inv-cli-')) } } };
  };

  it('searches an empty index with a hostile query and prints JSON', async () => {
    const { o, io } = out();
    expect(await runCli(['tenants', 'search', "%_'; DROP TABLE x; --", '-format=json'], io)).toBe(0);
    expect(JSON.parse(o.stdout)).toMatchObject({ total: 0, rows: [] });
  });

  it('rejects an unknown subcommand, a bad filter value and a missing id', async () => {
    let c = out();
    expect(await runCli(['tenants', 'list'], c.io)).toBe(1);
    expect(c.o.stderr).toMatch(/expected sync, search or show/);
    c = out();
    expect(await runCli(['tenants', 'search', '-due=tomorrow'], c.io)).toBe(1);
    expect(c.o.stderr).toMatch(/-due must be one of 7d, 30d, overdue/);
    c = out();
    expect(await runCli(['tenants', 'show'], c.io)).toBe(1);
    expect(c.o.stderr).toMatch(/exactly one tenant id/);
    c = out();
    expect(await runCli(['tenants', 'show', 't-404'], c.io)).toBe(1);
    expect(c.o.stderr).toMatch(/not in the index.*\[NOT_FOUND\]/);
  });

  it('sync without VAULT_TOKEN says so', async () => {
    const c = out();
    expect(await runCli(['tenants', 'sync'], c.io)).toBe(1);
    expect(c.o.stderr).toMatch(/VAULT_TOKEN is not set/);
  });
});
