// The watcher's Vault session: a token from Vault Agent's sink file (re-read when
// the agent renews or replaces it) or from VAULT_TOKEN. No keychain, no prompt: a
// headless service on an ops host. The token stays in this process's memory.
import { readFile, stat } from 'node:fs/promises';
import { AppError } from '../../../shared/errors';
import type { VaultConnection } from '../config/app-config';
import type { Session, SessionInfo } from '../session/session-types';
import { createVaultClient, type VaultClient } from '../vault/vault-client';

export type TokenSource = { kind: 'file'; path: string } | { kind: 'env'; token: string } | { kind: 'none' };

export class WatchSession implements Session {
  private client: VaultClient | null = null;
  private fileStamp = '';
  private problem: string | null = null;

  constructor(
    private readonly conn: VaultConnection,
    private readonly source: TokenSource,
  ) {
    if (source.kind === 'env') this.client = this.clientFor(source.token);
    if (source.kind === 'none') this.problem = 'no token (set VAULT_CONSOLE_WATCH_TOKEN_FILE to Vault Agent’s sink, or VAULT_TOKEN)';
  }

  private clientFor(token: string): VaultClient {
    const c = createVaultClient(this.conn, token);
    c.setToken(token);
    (c.raw as { namespace?: string }).namespace = this.conn.namespace;
    return c;
  }

  /** Re-reads the token file when it changed (cheap: one stat). Call before each round of requests. */
  async refresh(): Promise<void> {
    if (this.source.kind !== 'file') return;
    const path = this.source.path;
    try {
      const st = await stat(path);
      const stampNow = `${st.ino}:${st.mtimeMs}:${st.size}`;
      if (stampNow === this.fileStamp && this.client) return;
      const token = (await readFile(path, 'utf8')).trim();
      if (!token || token.length > 4096 || /\s/.test(token)) throw new AppError('BAD_INPUT', `the token file ${path} does not hold a token`);
      this.client?.close();
      this.client = this.clientFor(token);
      this.fileStamp = stampNow;
      this.problem = null;
    } catch (err) {
      const why = err instanceof AppError ? err.message : `cannot read the token file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
      this.problem = why;
      // Keep the last good token: the agent may be rewriting the file right now.
    }
  }

  get lastProblem(): string | null {
    return this.problem;
  }

  hasToken(): boolean {
    return this.client !== null;
  }

  info(): SessionInfo {
    return {
      signedIn: this.client !== null,
      profileId: 'watch',
      address: this.conn.address,
      method: this.client ? 'token' : null,
      displayName: 'vault-console-watch',
      username: null,
      entityId: null,
      policies: [],
      expiresAt: null,
      renewable: false,
      expiringSoon: false,
      problem: this.problem,
    };
  }

  requireClient(): VaultClient {
    if (!this.client) throw new AppError('UNAUTHENTICATED', this.problem ?? 'The watcher has no Vault token.');
    return this.client;
  }

  onChange(): () => void {
    return () => undefined;
  }

  dispose(): void {
    this.client?.close();
    this.client = null;
  }
}
