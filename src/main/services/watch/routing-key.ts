// The PagerDuty routing key: from a file only its owner can read, or from a KV v2
// secret in Vault. Never from argv or the environment, never logged, never stored
// (SQLite, heartbeat, outbox): it lives in this process's memory and is added to an
// event only as it is sent. No message here ever contains any part of it.
import { open } from 'node:fs/promises';
import { constants } from 'node:fs';
import { AppError } from '../../../shared/errors';
import type { VaultClient } from '../vault/vault-client';
import type { RoutingKeySource } from './watch-config';

const KEY_RE = /^[A-Za-z0-9_-]{8,128}$/;
const MAX_FILE_BYTES = 4096;

/** Reads and checks the key file. Refuses a file that its group or others may read or write. */
export async function readRoutingKeyFile(path: string): Promise<string> {
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NOCTTY);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new AppError('BAD_INPUT', `cannot read the routing key file ${path} (${code})`);
  }
  try {
    // fstat on the descriptor we read from: no window for a swap between check and read.
    const st = await fh.stat();
    if (!st.isFile()) throw new AppError('BAD_INPUT', `the routing key file ${path} is not a regular file`);
    if ((st.mode & 0o077) !== 0) {
      throw new AppError('BAD_INPUT', `the routing key file ${path} is readable or writable by group or others (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}); chmod 600 it`);
    }
    if (typeof process.getuid === 'function' && process.getuid() !== 0 && st.uid !== process.getuid()) {
      throw new AppError('BAD_INPUT', `the routing key file ${path} belongs to another user; it must belong to the user the watcher runs as`);
    }
    if (st.size > MAX_FILE_BYTES) throw new AppError('BAD_INPUT', `the routing key file ${path} is too large to be a routing key`);
    const text = (await fh.readFile({ encoding: 'utf8' })).trim();
    return checkRoutingKey(text, `the routing key file ${path}`);
  } finally {
    await fh.close();
  }
}

export function checkRoutingKey(value: unknown, where: string): string {
  if (typeof value !== 'string' || !KEY_RE.test(value.trim())) {
    // Say what is wrong with it, never what it is.
    throw new AppError('BAD_INPUT', `${where} does not hold a routing key (8-128 letters, digits, _ or -)`);
  }
  return value.trim();
}

/** Reads the key from a KV v2 secret (field routing_key by default). */
export async function readRoutingKeyFromVault(client: VaultClient, src: { mount: string; path: string; field: string }): Promise<string> {
  const where = `${src.mount}/${src.path}#${src.field}`;
  let body: { data?: { data?: Record<string, unknown> } };
  try {
    body = await client.request('GET', `${src.mount}/data/${src.path}`);
  } catch (err) {
    const code = err instanceof AppError ? err.code : 'VAULT_ERROR';
    throw new AppError(code === 'NOT_FOUND' ? 'NOT_FOUND' : code, `cannot read the routing key from Vault at ${where} (${code})`);
  }
  return checkRoutingKey(body?.data?.data?.[src.field], `Vault's ${where}`);
}

/**
 * The key for the sender. A file key is read once at start (a bad file is a start
 * error); a Vault key is read when Vault can answer and kept in memory, so a Vault that
 * seals later can still be paged about.
 */
export class RoutingKeyProvider {
  private key: string | null = null;
  private problem: string | null = null;

  constructor(
    private readonly source: RoutingKeySource,
    private readonly client: () => VaultClient | null,
  ) {}

  get configured(): boolean {
    return this.source.kind !== 'none';
  }

  /** Why there is no key yet, if there is none (a message without the key). */
  get lastProblem(): string | null {
    return this.problem;
  }

  async load(): Promise<void> {
    if (this.source.kind === 'file') {
      this.key = await readRoutingKeyFile(this.source.path);
      this.problem = null;
    } else if (this.source.kind === 'vault') {
      await this.refreshFromVault();
    }
  }

  /** Retried by the watcher while it has no key from Vault yet. */
  async refreshFromVault(): Promise<void> {
    if (this.source.kind !== 'vault') return;
    const c = this.client();
    if (!c) {
      this.problem = 'no Vault token to read the routing key with';
      return;
    }
    try {
      this.key = await readRoutingKeyFromVault(c, this.source);
      this.problem = null;
    } catch (err) {
      this.problem = err instanceof AppError ? err.message : 'cannot read the routing key from Vault';
      if (this.key === null) throw err;
    }
  }

  current(): string | null {
    return this.key;
  }
}
