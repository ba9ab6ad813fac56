// ed25519 SSH keys in the formats OpenSSH itself writes, so an operator can hand
// the private key straight to `ssh -i` and the public line to authorized_keys.
// Never log a value returned from here except the public key and fingerprint.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { SshReader, sshString, sshUint32 } from './ssh-wire';

export const SSH_ED25519 = 'ssh-ed25519';

export interface SshKeyPair {
  /** "-----BEGIN OPENSSH PRIVATE KEY-----" block, unencrypted, trailing newline. */
  privateKey: string;
  /** "ssh-ed25519 AAAA… comment" (one line, no newline). */
  publicKey: string;
  /** "SHA256:…" exactly as `ssh-keygen -l` prints it. */
  fingerprint: string;
}

export interface SshKeyOptions {
  comment?: string;
  /** 32-byte private seed; only tests and reproducible fixtures pass one. */
  seed?: Buffer;
  /** The container's check integer; random unless reproducibility is wanted. */
  checkInt?: number;
}

// PKCS#8 prefix for an Ed25519 private key (RFC 8410); the 32-byte seed follows.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function generateSshEd25519(opts: SshKeyOptions = {}): SshKeyPair {
  const { seed, pub } = opts.seed ? fromSeed(opts.seed) : fresh();
  const comment = opts.comment ?? '';
  const blob = ed25519PublicBlob(pub);
  const checkInt = opts.checkInt ?? randomBytes(4).readUInt32BE(0);
  return {
    privateKey: encodeOpenSshPrivateKey(seed, pub, comment, checkInt),
    publicKey: formatPublicKeyLine(blob, comment),
    fingerprint: sshFingerprint(blob),
  };
}

function fresh(): { seed: Buffer; pub: Buffer } {
  const { privateKey } = generateKeyPairSync('ed25519');
  return rawParts(privateKey);
}

function fromSeed(seed: Buffer): { seed: Buffer; pub: Buffer } {
  if (seed.length !== 32) throw new Error('ed25519 seed must be 32 bytes');
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  return rawParts(key);
}

function rawParts(privateKey: KeyObject): { seed: Buffer; pub: Buffer } {
  const jwk = privateKey.export({ format: 'jwk' });
  const pubJwk = createPublicKey(privateKey).export({ format: 'jwk' });
  if (!jwk.d || !pubJwk.x) throw new Error('ed25519 export failed');
  return { seed: Buffer.from(jwk.d, 'base64url'), pub: Buffer.from(pubJwk.x, 'base64url') };
}

/** The public key blob: string "ssh-ed25519" || string pub32. */
export function ed25519PublicBlob(pub: Buffer): Buffer {
  return Buffer.concat([sshString(SSH_ED25519), sshString(pub)]);
}

export function formatPublicKeyLine(blob: Buffer, comment: string): string {
  const line = `${SSH_ED25519} ${blob.toString('base64')}`;
  return comment ? `${line} ${comment}` : line;
}

/** SHA256 of the public key blob, unpadded base64: what `ssh-keygen -l` shows. */
export function sshFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Fingerprint of an "ssh-… AAAA… comment" line. */
export function fingerprintOfPublicKeyLine(line: string): string {
  const b64 = line.trim().split(/\s+/)[1];
  if (!b64) throw new Error('not an SSH public key line');
  return sshFingerprint(Buffer.from(b64, 'base64'));
}

/**
 * PROTOCOL.key: magic, cipher "none", kdf "none", empty kdf options, one key,
 * the public blob, then the private section (check ints, key, comment, padding
 * 1,2,3… to the 8-byte block size of the "none" cipher).
 */
export function encodeOpenSshPrivateKey(seed: Buffer, pub: Buffer, comment: string, checkInt: number): string {
  const blob = ed25519PublicBlob(pub);
  let priv = Buffer.concat([
    sshUint32(checkInt),
    sshUint32(checkInt),
    sshString(SSH_ED25519),
    sshString(pub),
    sshString(Buffer.concat([seed, pub])),
    sshString(comment),
  ]);
  const padLen = (8 - (priv.length % 8)) % 8;
  const pad = Buffer.from(Array.from({ length: padLen }, (_, i) => i + 1));
  priv = Buffer.concat([priv, pad]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    sshUint32(1),
    sshString(blob),
    sshString(priv),
  ]);
  const b64 = body.toString('base64').replace(/.{1,70}/g, '$&\n');
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}-----END OPENSSH PRIVATE KEY-----\n`;
}

export interface DecodedOpenSshKey {
  cipher: string;
  kdf: string;
  keyType: string;
  publicKey: Buffer;
  seed: Buffer;
  comment: string;
}

/** Parses an unencrypted openssh-key-v1 ed25519 key; rotation uses it to check what it reads back. */
export function decodeOpenSshPrivateKey(pem: string): DecodedOpenSshKey {
  const m = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(pem);
  if (!m?.[1]) throw new Error('not an OpenSSH private key');
  const buf = Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
  const magic = 'openssh-key-v1\0';
  if (buf.subarray(0, magic.length).toString('latin1') !== magic) throw new Error('bad openssh-key-v1 magic');
  const r = new SshReader(buf.subarray(magic.length));
  const cipher = r.string();
  const kdf = r.string();
  r.bytes(); // kdf options
  if (r.uint32() !== 1) throw new Error('expected exactly one key');
  const pubBlob = r.bytes();
  const priv = new SshReader(r.bytes());
  if (priv.uint32() !== priv.uint32()) throw new Error('check ints differ (encrypted or corrupt key)');
  const keyType = priv.string();
  const publicKey = priv.bytes();
  const secret = priv.bytes();
  const comment = priv.string();
  if (!ed25519PublicBlob(publicKey).equals(pubBlob)) throw new Error('public key mismatch');
  return { cipher, kdf, keyType, publicKey, seed: secret.subarray(0, 32), comment };
}
