// The only module that imports keytar. Fail closed: when no keychain is reachable
// every call throws KEYCHAIN_UNAVAILABLE; there is no plaintext fallback, ever.
import { AppError, oneLine } from '../../../shared/errors';
import { assertAccount, assertSecretValue, KEYCHAIN_SERVICE, type SecretStore } from './secret-store';

import type * as KeytarModule from 'keytar';

type Keytar = typeof KeytarModule;

/** libsecret can block on an unlock prompt nobody will answer; give up instead. */
const CALL_TIMEOUT_MS = 10_000;
const PROBE_ACCOUNT = 'vault-console:keychain-probe';

export interface KeytarSecretStoreOptions {
  service?: string;
  timeoutMs?: number;
  /** For tests: environment to judge D-Bus availability from. */
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

function unavailable(reason: string, cause?: unknown): AppError {
  return new AppError('KEYCHAIN_UNAVAILABLE', `OS keychain unavailable: ${oneLine(reason, 200)}`, { cause });
}

function reasonOf(err: unknown): string {
  // keytar/libsecret messages name the bus or the collection, never a stored value.
  return err instanceof Error ? err.message : String(err);
}

export class KeytarSecretStore implements SecretStore {
  private readonly service: string;
  private readonly timeoutMs: number;
  private readonly env: NodeJS.ProcessEnv;
  private readonly platform: NodeJS.Platform;
  private keytar: Promise<Keytar> | null = null;

  constructor(opts: KeytarSecretStoreOptions = {}) {
    this.service = opts.service ?? KEYCHAIN_SERVICE;
    this.timeoutMs = opts.timeoutMs ?? CALL_TIMEOUT_MS;
    this.env = opts.env ?? process.env;
    this.platform = opts.platform ?? process.platform;
  }

  private load(): Promise<Keytar> {
    // Loaded lazily so a missing libsecret surfaces as KEYCHAIN_UNAVAILABLE, not a crash at startup.
    this.keytar ??= import('keytar').then(
      (m) => ((m as unknown as { default?: Keytar }).default ?? m) as Keytar,
      (err: unknown) => {
        this.keytar = null;
        throw unavailable(`cannot load keytar (${reasonOf(err)})`, err);
      },
    );
    return this.keytar;
  }

  private async call<T>(action: string, fn: (k: Keytar) => Promise<T>): Promise<T> {
    if (this.platform === 'linux' && !this.env.DBUS_SESSION_BUS_ADDRESS) {
      throw unavailable('no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set), so no Secret Service');
    }
    const k = await this.load();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(unavailable(`${action} timed out after ${this.timeoutMs} ms (keychain locked or not answering)`)),
        this.timeoutMs,
      );
      timer.unref();
    });
    try {
      return await Promise.race([fn(k), timeout]);
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw unavailable(`${action} failed: ${reasonOf(err)}`, err);
    } finally {
      clearTimeout(timer);
    }
  }

  async get(account: string): Promise<string | null> {
    assertAccount(account);
    return this.call('read', (k) => k.getPassword(this.service, account));
  }

  async set(account: string, value: string): Promise<void> {
    assertAccount(account);
    assertSecretValue(value);
    await this.call('write', (k) => k.setPassword(this.service, account, value));
  }

  async delete(account: string): Promise<boolean> {
    assertAccount(account);
    return this.call('delete', (k) => k.deletePassword(this.service, account));
  }

  /** A write/read/delete round trip: a locked or read-only keychain must fail here, not at login. */
  async check(): Promise<void> {
    const token = `probe-${process.pid}-${Date.now()}`;
    await this.call('probe', async (k) => {
      await k.setPassword(this.service, PROBE_ACCOUNT, token);
      const back = await k.getPassword(this.service, PROBE_ACCOUNT);
      await k.deletePassword(this.service, PROBE_ACCOUNT);
      if (back !== token) throw new Error('probe value did not round-trip');
    });
  }
}
