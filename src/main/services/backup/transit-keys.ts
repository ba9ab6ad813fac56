// Envelope encryption: a fresh 256-bit data key per backup, generated here and
// wrapped by Vault's transit engine. Only the wrapped form is ever stored.
import { randomBytes } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import type { VaultClient } from '../vault/vault-client';

const KEY_RE = /^[A-Za-z0-9_-]{1,128}$/;
const MOUNT_RE = /^[A-Za-z0-9_-][A-Za-z0-9_/-]{0,127}$/;

export interface TransitKeyRef {
  mount: string;
  key: string;
}

export function checkTransitRef(ref: TransitKeyRef): void {
  if (!MOUNT_RE.test(ref.mount) || ref.mount.includes('..')) throw new AppError('BAD_INPUT', 'transit mount name is invalid');
  if (!KEY_RE.test(ref.key)) throw new AppError('BAD_INPUT', 'transit key name is invalid');
}

/** A new data key and its transit-wrapped form. The caller wipes `key` after use. */
export async function newDataKey(client: VaultClient, ref: TransitKeyRef): Promise<{ key: Buffer; wrapped: string }> {
  checkTransitRef(ref);
  const key = randomBytes(32);
  try {
    const res = await client.request<{ data?: { ciphertext?: string } }>('POST', `${ref.mount}/encrypt/${ref.key}`, { plaintext: key.toString('base64') });
    const wrapped = res?.data?.ciphertext;
    if (!wrapped) throw new AppError('VAULT_ERROR', `transit key ${ref.key} returned no ciphertext`);
    return { key, wrapped };
  } catch (err) {
    key.fill(0);
    throw explain(err, ref, 'wrap');
  }
}

/** Unwraps a backup's data key with the configured transit key; refuses if that key cannot. */
export async function unwrapDataKey(client: VaultClient, ref: TransitKeyRef, wrapped: string): Promise<Buffer> {
  checkTransitRef(ref);
  try {
    const res = await client.request<{ data?: { plaintext?: string } }>('POST', `${ref.mount}/decrypt/${ref.key}`, { ciphertext: wrapped });
    const key = Buffer.from(res?.data?.plaintext ?? '', 'base64');
    if (key.length !== 32) throw new AppError('VAULT_ERROR', `transit key ${ref.key} returned a data key of the wrong size`);
    return key;
  } catch (err) {
    throw explain(err, ref, 'unwrap');
  }
}

function explain(err: unknown, ref: TransitKeyRef, what: 'wrap' | 'unwrap'): AppError {
  if (!(err instanceof AppError)) return new AppError('VAULT_ERROR', `Could not ${what} the backup data key with transit key ${ref.mount}/${ref.key}.`);
  if (err.code === 'VAULT_ERROR' && what === 'unwrap') {
    // Transit answers 400 "cipher: message authentication failed" when another key wrapped it.
    return new AppError('PERMISSION_DENIED', `The backup's data key cannot be unwrapped with transit key ${ref.mount}/${ref.key} (wrong or rotated-away key); nothing was restored.`);
  }
  if (err.code === 'VAULT_ERROR' || err.code === 'NOT_FOUND') {
    return new AppError('VAULT_ERROR', `Transit key ${ref.mount}/${ref.key} is not usable to ${what} the backup data key: ${err.message}`);
  }
  return err;
}
