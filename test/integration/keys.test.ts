// The generated SSH keys must be what OpenSSH itself accepts: the real ssh-keygen
// reads our private key, derives the same public key and prints the same fingerprint.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSshEd25519 } from '../../src/main/services/keys/ssh-ed25519';

const run = promisify(execFile);
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vault-console-keys-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeKey(name: string, privateKey: string): Promise<string> {
  const path = join(dir, name);
  // ssh-keygen refuses private keys readable by others.
  await writeFile(path, privateKey, { mode: 0o600 });
  return path;
}

describe('ed25519 keys against the real ssh-keygen', () => {
  it.each(['admin@t-000001', 'tenant@t-000042', ''])('ssh-keygen -y derives our public key (comment %j)', async (comment) => {
    const k = generateSshEd25519({ comment });
    const path = await writeKey(`id-y-${comment || 'none'}`, k.privateKey);
    const { stdout } = await run('ssh-keygen', ['-y', '-f', path]);
    const [type, b64] = stdout.trim().split(/\s+/);
    expect(`${type} ${b64}`).toBe(k.publicKey.split(' ').slice(0, 2).join(' '));
    if (comment) expect(stdout.trim()).toBe(k.publicKey);
  });

  it('ssh-keygen -l prints our SHA256 fingerprint for the private and the public key', async () => {
    for (let i = 0; i < 5; i++) {
      const k = generateSshEd25519({ comment: `admin@t-00000${i}` });
      const priv = await writeKey(`id-l-${i}`, k.privateKey);
      const pub = join(dir, `id-l-${i}.pub`);
      await writeFile(pub, `${k.publicKey}\n`);
      for (const f of [priv, pub]) {
        const { stdout } = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', f]);
        expect(stdout.trim().split(/\s+/)[0]).toBe('256');
        expect(stdout.trim().split(/\s+/)[1]).toBe(k.fingerprint);
        expect(stdout).toContain('(ED25519)');
      }
    }
  });

  it('ssh-keygen accepts a key made from a fixed seed (reproducible fixtures)', async () => {
    const k = generateSshEd25519({ seed: Buffer.alloc(32, 7), comment: 'fixture', checkInt: 1 });
    const path = await writeKey('id-seed', k.privateKey);
    const { stdout } = await run('ssh-keygen', ['-l', '-f', path]);
    expect(stdout).toContain(k.fingerprint);
  });
});
