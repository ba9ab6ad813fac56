import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decodeOpenSshPrivateKey,
  fingerprintOfPublicKeyLine,
  generateSshEd25519,
  sshFingerprint,
} from '../../../../../src/main/services/keys/ssh-ed25519';

/** Offset of the private section's length field: after magic, 3 strings, count, public blob. */
function findPrivStart(body: Buffer): number {
  let o = 'openssh-key-v1\0'.length;
  for (let i = 0; i < 3; i++) o += 4 + body.readUInt32BE(o);
  o += 4;
  o += 4 + body.readUInt32BE(o);
  return o;
}

// RFC 8032 §7.1 test 1: a known seed and its public key.
const RFC_SEED = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
const RFC_PUB = Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex');

describe('ed25519 OpenSSH keys', () => {
  it('writes the openssh-key-v1 container, unencrypted, wrapped at 70 columns', () => {
    const k = generateSshEd25519({ comment: 'admin@t-000001' });
    const lines = k.privateKey.trimEnd().split('\n');
    expect(lines[0]).toBe('-----BEGIN OPENSSH PRIVATE KEY-----');
    expect(lines.at(-1)).toBe('-----END OPENSSH PRIVATE KEY-----');
    for (const l of lines.slice(1, -1)) expect(l.length).toBeLessThanOrEqual(70);
    expect(k.privateKey.endsWith('\n')).toBe(true);
    const d = decodeOpenSshPrivateKey(k.privateKey);
    expect(d).toMatchObject({ cipher: 'none', kdf: 'none', keyType: 'ssh-ed25519', comment: 'admin@t-000001' });
  });

  it('pads the private section to the 8-byte block with 1,2,3…', () => {
    for (const comment of ['', 'a', 'ab', 'abc', 'abcd', 'abcde', 'abcdef', 'abcdefg']) {
      const k = generateSshEd25519({ comment });
      const body = Buffer.from(k.privateKey.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
      const start = findPrivStart(body);
      const privLen = body.readUInt32BE(start);
      expect(start + 4 + privLen).toBe(body.length);
      const priv = body.subarray(start + 4);
      expect(priv.length % 8).toBe(0);
      // Padding bytes count up from 1 after the comment.
      const used = 8 + (4 + 11) + (4 + 32) + (4 + 64) + (4 + comment.length);
      const pad = [...priv.subarray(used)];
      expect(pad).toEqual(pad.map((_, i) => i + 1));
    }
  });

  it('derives the RFC 8032 public key from a known seed, deterministically', () => {
    const a = generateSshEd25519({ seed: RFC_SEED, comment: 'c', checkInt: 0x01020304 });
    const b = generateSshEd25519({ seed: RFC_SEED, comment: 'c', checkInt: 0x01020304 });
    expect(a).toEqual(b);
    expect(decodeOpenSshPrivateKey(a.privateKey).publicKey.equals(RFC_PUB)).toBe(true);
    expect(a.publicKey.startsWith('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI')).toBe(true);
  });

  it('prints the public key line as "ssh-ed25519 <base64> <comment>"', () => {
    const k = generateSshEd25519({ comment: 'tenant@t-000042' });
    expect(k.publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43} tenant@t-000042$/);
    expect(generateSshEd25519().publicKey.split(' ')).toHaveLength(2);
  });

  it('fingerprints as SHA256: plus unpadded base64 of the blob', () => {
    const k = generateSshEd25519({ comment: 'c' });
    expect(k.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(fingerprintOfPublicKeyLine(k.publicKey)).toBe(k.fingerprint);
    const blob = Buffer.from(k.publicKey.split(' ')[1]!, 'base64');
    expect(sshFingerprint(blob)).toBe(k.fingerprint);
  });

  it('stores a seed that signs for the public key it claims', () => {
    const k = generateSshEd25519();
    const d = decodeOpenSshPrivateKey(k.privateKey);
    const priv = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), d.seed]), format: 'der', type: 'pkcs8' });
    const pub = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: d.publicKey.toString('base64url') }, format: 'jwk' });
    const msg = Buffer.from('rotation check');
    expect(verify(null, msg, pub, sign(null, msg, priv))).toBe(true);
  });

  it('makes a different key each call without a seed', () => {
    expect(generateSshEd25519().fingerprint).not.toBe(generateSshEd25519().fingerprint);
  });

  it('rejects a seed of the wrong length', () => {
    expect(() => generateSshEd25519({ seed: Buffer.alloc(31) })).toThrow(/32 bytes/);
  });
});
