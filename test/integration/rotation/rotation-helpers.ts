// Shared set-up for the rotation integration tests: a fresh KV v2 mount on the real
// OpenBao, seeded tenants, the admin user's token, and a RotationService over a fresh
// SQLite file.
import { createKvV2Mount } from '../../../src/main/services/vault/kv';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectionFromEnv } from '../../../src/main/services/config/app-config';
import { DATABASE_FILE } from '../../../src/main/services/container';
import { RotationService, type RotationServiceDeps } from '../../../src/main/services/rotation/rotation-service';
import { seedTenants } from '../../../src/main/services/seed/seeder';
import { openDatabase, type SqlDatabase } from '../../../src/main/services/storage/database';
import { RotationRepo } from '../../../src/main/services/storage/rotation-repo';
import { systemClock } from '../../../src/main/services/time/clock';
import { createVaultClient, type VaultClient } from '../../../src/main/services/vault/vault-client';
import { userpassLogin, type ServicesState } from '../helpers/services';

export const run = promisify(execFile);
export const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

export function rootClient(s: ServicesState): VaultClient {
  return createVaultClient(connectionFromEnv({ VAULT_ADDR: s.openbao.addr }), s.openbao.rootToken);
}

export async function adminClient(s: ServicesState): Promise<VaultClient> {
  const token = await userpassLogin(s, s.openbao.users.admin.username, s.openbao.users.admin.password);
  return createVaultClient(connectionFromEnv({ VAULT_ADDR: s.openbao.addr }), token);
}

/**
 * A fresh KV v2 mount. The admin policy is written for the test mount name; tests that
 * need another mount use the root token for Vault and say so.
 */
export async function freshMount(root: VaultClient, prefix: string): Promise<string> {
  const name = `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  await createKvV2Mount(root, name);
  return name;
}

export async function seed(client: VaultClient, mount: string, count: number, seedName: string, startIndex = 1): Promise<void> {
  await seedTenants({ client, mount, count, startIndex, concurrency: 8, seed: seedName, dkimPoolSize: 2, logger: quiet });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function newService(client: VaultClient, mount: string, extra: Partial<RotationServiceDeps> = {}, dir = tempDir('rot-it-')): { service: RotationService; db: SqlDatabase; dir: string } {
  const db = openDatabase(join(dir, DATABASE_FILE));
  const service = new RotationService({
    repo: new RotationRepo(db),
    clock: systemClock,
    client: () => client,
    mount: () => mount,
    actor: () => 'admin',
    logger: quiet,
    ...extra,
  });
  return { service, db, dir };
}

/** Writes a private key 0600 (ssh-keygen refuses anything else) and returns the path. */
export function keyFile(dir: string, name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content, { mode: 0o600 });
  return p;
}

/** Signs a message with dkimpy (Debian's python3-dkim) and verifies it against the TXT value. */
export async function dkimpySignAndVerify(privateKeyPem: string, selector: string, domain: string, txt: string): Promise<string> {
  const script = `
import sys, json, dkim
req = json.load(sys.stdin)
msg = ("From: Admin <admin@%s>\\r\\nTo: someone@example.org\\r\\nSubject: rotation check\\r\\nDate: Mon, 02 Mar 2026 10:00:00 +0000\\r\\nMessage-ID: <rot@%s>\\r\\n\\r\\nHello from the rotation test.\\r\\n" % (req["domain"], req["domain"])).encode()
sig = dkim.sign(msg, req["selector"].encode(), req["domain"].encode(), req["key"].encode(), include_headers=[b"from", b"to", b"subject", b"date"])
signed = sig + msg
def dns(name, timeout=5):
    want = ("%s._domainkey.%s." % (req["selector"], req["domain"])).encode()
    return req["txt"].encode() if name == want else None
ok = dkim.verify(signed, dnsfunc=dns)
print("verified" if ok else "failed")
`;
  const child = execFile('/usr/bin/python3', ['-c', script]);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  child.stdin?.end(JSON.stringify({ key: privateKeyPem, selector, domain, txt }));
  await new Promise<void>((resolve) => child.on('close', () => resolve()));
  if (err.trim()) return `error: ${err.trim().split('\n').at(-1)}`;
  return out.trim();
}
