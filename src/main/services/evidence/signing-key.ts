// The console's evidence signing key: one Ed25519 key pair per install, created on first
// use and kept in the OS keychain (SecretStore; the private key never touches the disk,
// SQLite or a log). Its public key and fingerprint can be exported for auditors. No
// keychain, no signing: packs are never signed with a throwaway key.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import type { SecretStore } from '../keychain/secret-store';
import { fingerprintOf, publicKeyPem } from './evidence-format';

export const SIGNING_KEY_ACCOUNT = 'evidence:signing-key:ed25519';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  fingerprint: string;
  publicKeyPem: string;
}

function fromStored(value: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: Buffer.from(value, 'base64'), format: 'der', type: 'pkcs8' });
  } catch (err) {
    throw new AppError('INTERNAL', 'The evidence signing key in the OS keychain is unreadable; it is never replaced silently (delete it with the keychain tool to start a new one).', { cause: err });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new AppError('INTERNAL', 'The evidence signing key in the OS keychain is not an Ed25519 key.');
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, fingerprint: fingerprintOf(publicKey), publicKeyPem: publicKeyPem(publicKey) };
}

export class EvidenceSigningKey {
  private cached: Promise<SigningKey> | null = null;

  constructor(private readonly store: SecretStore) {}

  /** The install's key pair, created (once) if the keychain has none. */
  key(): Promise<SigningKey> {
    this.cached ??= this.load().catch((err: unknown) => {
      this.cached = null;
      throw err;
    });
    return this.cached;
  }

  /** The public key if one exists, without creating it. */
  async existing(): Promise<SigningKey | null> {
    const v = await this.store.get(SIGNING_KEY_ACCOUNT);
    return v ? fromStored(v) : null;
  }

  private async load(): Promise<SigningKey> {
    const stored = await this.store.get(SIGNING_KEY_ACCOUNT);
    if (stored) return fromStored(stored);
    const { privateKey } = generateKeyPairSync('ed25519');
    const der = privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
    // Another process (the CLI and the app) may create one at the same moment: the stored
    // value wins for both, and nothing is signed before it is settled.
    const again = await this.store.get(SIGNING_KEY_ACCOUNT);
    if (again) return fromStored(again);
    await this.store.set(SIGNING_KEY_ACCOUNT, der);
    const settled = await this.store.get(SIGNING_KEY_ACCOUNT);
    if (!settled) throw new AppError('KEYCHAIN_UNAVAILABLE', 'The OS keychain did not keep the evidence signing key.');
    return fromStored(settled);
  }
}
