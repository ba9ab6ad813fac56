// The console keeps its Vault session token in the OS keychain through this interface.
// Services depend on SecretStore, never on keytar, so tests can hand in a memory store.
import { AppError } from '../../../shared/errors';

/** Service name under which every console secret is stored in the OS keychain. */
export const KEYCHAIN_SERVICE = 'vault-console';

/** Largest value we accept; a Vault token is ~100 bytes, a wrapped key a few KB. */
export const MAX_SECRET_BYTES = 64 * 1024;
const ACCOUNT_RE = /^[A-Za-z0-9._@:/-]{1,200}$/;

export interface SecretStore {
  /** The stored value, or null when there is none. */
  get(account: string): Promise<string | null>;
  set(account: string, value: string): Promise<void>;
  /** True when something was deleted. */
  delete(account: string): Promise<boolean>;
  /** Resolves when the keychain is usable; throws AppError('KEYCHAIN_UNAVAILABLE', reason). */
  check(): Promise<void>;
}

/** Account names are ids (e.g. "session:https://vault.example:8200"), never values. */
export function assertAccount(account: unknown): asserts account is string {
  if (typeof account !== 'string' || !ACCOUNT_RE.test(account)) {
    throw new AppError('BAD_INPUT', 'Keychain account must be 1-200 characters of letters, digits and ._@:/-');
  }
}

export function assertSecretValue(value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new AppError('BAD_INPUT', 'Keychain value must be a non-empty string');
  }
  if (Buffer.byteLength(value, 'utf8') > MAX_SECRET_BYTES) {
    // Never echo the value or its prefix: it is secret material.
    throw new AppError('BAD_INPUT', `Keychain value is larger than ${MAX_SECRET_BYTES} bytes`);
  }
}
