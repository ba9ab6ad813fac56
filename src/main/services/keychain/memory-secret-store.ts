// In-memory SecretStore for unit tests of services that need a keychain. Same
// validation as the real adapter; `unavailable` simulates a missing keychain so callers'
// fail-closed paths can be tested without mocking modules.
import { AppError } from '../../../shared/errors';
import { assertAccount, assertSecretValue, type SecretStore } from './secret-store';

export class MemorySecretStore implements SecretStore {
  private readonly values = new Map<string, string>();
  /** When set, every call throws KEYCHAIN_UNAVAILABLE with this reason. */
  unavailable: string | null = null;

  private guard(): void {
    if (this.unavailable !== null) throw new AppError('KEYCHAIN_UNAVAILABLE', this.unavailable);
  }

  async get(account: string): Promise<string | null> {
    assertAccount(account);
    this.guard();
    return this.values.get(account) ?? null;
  }

  async set(account: string, value: string): Promise<void> {
    assertAccount(account);
    assertSecretValue(value);
    this.guard();
    this.values.set(account, value);
  }

  async delete(account: string): Promise<boolean> {
    assertAccount(account);
    this.guard();
    return this.values.delete(account);
  }

  async check(): Promise<void> {
    this.guard();
  }

  /** Number of stored entries (tests assert that a logout left nothing behind). */
  get size(): number {
    return this.values.size;
  }
}
