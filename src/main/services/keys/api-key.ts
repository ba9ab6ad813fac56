// Platform API keys: shown to the tenant once, then only a SHA-256 hash and the
// visible prefix are stored, so Vault never holds a usable key.
import { createHash, randomBytes } from 'node:crypto';
import { ALNUM, randomString } from './random-strings';

export const API_KEY_PREFIX_LIVE = 'pm_live_';
export const API_KEY_PREFIX_TEST = 'pm_test_';
export const API_KEY_BODY_LENGTH = 40; // 40 × log2(62) ≈ 238 bits
/** How many body characters stay visible next to the prefix, to tell keys apart. */
export const API_KEY_HINT_LENGTH = 4;

export interface GeneratedApiKey {
  /** The full key; returned to the caller once, never stored. */
  key: string;
  keyId: string;
  /** e.g. "pm_live_AbC1": the prefix plus the first characters of the body. */
  prefix: string;
  /** "sha256:<hex>" of the full key. */
  hash: string;
}

export interface ApiKeyOptions {
  env?: 'live' | 'test';
  /** The key's public id; random unless the caller needs a stable one (the seeder does, to stay idempotent). */
  keyId?: string;
  bytes?: (n: number) => Buffer;
}

export function generateApiKey(opts: ApiKeyOptions = {}): GeneratedApiKey {
  const prefix = opts.env === 'test' ? API_KEY_PREFIX_TEST : API_KEY_PREFIX_LIVE;
  const key = prefix + randomString(API_KEY_BODY_LENGTH, ALNUM, opts.bytes);
  const keyId = opts.keyId ?? `ak_${(opts.bytes ? opts.bytes(8) : randomBytes(8)).subarray(0, 8).toString('hex')}`;
  if (!/^ak_[0-9a-z]{8,32}$/.test(keyId)) throw new Error('API key id must look like ak_<8-32 lowercase alphanumerics>');
  return {
    key,
    keyId,
    prefix: key.slice(0, prefix.length + API_KEY_HINT_LENGTH),
    hash: hashApiKey(key),
  };
}

export function hashApiKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

export function isApiKeyShape(key: string): boolean {
  return /^pm_(live|test)_[A-Za-z0-9]{40}$/.test(key);
}
