// Re-authentication against Vault, never against the workstation:
//  - the password through a FRESH userpass login (not the session token), whose token
//    then does everything else in the reveal (so Vault's audit log shows the real reveal);
//  - the 2FA code through Vault's TOTP engine (POST totp/code/<key> {code}), against the
//    identity's active key, which only another admin's grant can create (enrolment/).
// OpenBao 2.4 also has login MFA (identity/mfa/method/totp), but its enforcement applies
// to every login on the mount (the main sign-in and the CLI too) and needs identity admin
// rights to configure, so the console uses the TOTP engine, scoped to reveals only.
import { AppError } from '../../../shared/errors';
import type { VaultConnection } from '../config/app-config';
import { activeKeyName } from '../enrolment/active-key';
import { enrolmentPaths } from '../enrolment/enrolment-paths';
import { createVaultClient, type VaultClient } from '../vault/vault-client';

/** A factor was wrong: counts towards the lockout. */
export class ReauthFailure extends AppError {
  constructor(
    readonly factor: 'password' | 'code',
    message: string,
  ) {
    super('UNAUTHENTICATED', message);
    this.name = 'ReauthFailure';
  }
}

interface LoginResponse {
  auth: { client_token: string; entity_id?: string };
}

export interface ReauthDeps {
  connection: () => VaultConnection;
  makeClient?: (conn: VaultConnection, token?: string) => VaultClient;
}

export class Reauth {
  private readonly makeClient: (conn: VaultConnection, token?: string) => VaultClient;

  constructor(private readonly deps: ReauthDeps) {
    this.makeClient = deps.makeClient ?? createVaultClient;
  }

  /**
   * A fresh userpass login; the returned client holds the new token (caller revokes it).
   * entityId: the identity Vault signed in (its 2FA key is looked up by it).
   */
  async login(username: string, password: string): Promise<{ client: VaultClient; entityId: string }> {
    const conn = this.deps.connection();
    const anon = this.makeClient(conn);
    let auth: LoginResponse['auth'];
    try {
      const res = await anon.request<LoginResponse>('POST', `auth/userpass/login/${encodeURIComponent(username)}`, { password });
      auth = res.auth;
    } catch (err) {
      if (err instanceof AppError && err.code === 'VAULT_ERROR' && /\b400\b/.test(err.message)) throw new ReauthFailure('password', 'Wrong password.');
      // OpenBao answers 403 once its own userpass lockout has locked the account.
      if (err instanceof AppError && (err.code === 'PERMISSION_DENIED' || err.code === 'UNAUTHENTICATED')) {
        throw new ReauthFailure('password', 'Vault refused the password (wrong, or the account is locked in Vault after failed attempts).');
      }
      throw err;
    } finally {
      anon.close();
    }
    return { client: this.makeClient(conn, auth.client_token), entityId: auth.entity_id ?? '' };
  }

  /** This identity's active 2FA key (made through another admin's grant); null when not enrolled. */
  async activeKey(client: VaultClient, kvMount: string, entityId: string): Promise<string | null> {
    return activeKeyName(client, kvMount, entityId);
  }

  /** Vault validates the code; each code is accepted once (Vault remembers used codes). */
  async validateCode(client: VaultClient, keyName: string, code: string): Promise<void> {
    let valid = false;
    try {
      const res = await client.request<{ data?: { valid?: boolean } }>('POST', enrolmentPaths.code(keyName), { code });
      valid = res.data?.valid === true;
    } catch (err) {
      if (err instanceof AppError && /already used/i.test(err.message)) throw new ReauthFailure('code', 'That 2FA code was already used; wait for the next one.');
      if (err instanceof AppError && /unknown key/i.test(err.message)) throw new AppError('NOT_FOUND', 'No 2FA key is set up for you in Vault; set up 2FA first.');
      if (err instanceof AppError && err.code === 'VAULT_ERROR' && /\b400\b/.test(err.message)) throw new ReauthFailure('code', 'Wrong 2FA code.');
      throw err;
    }
    if (!valid) throw new ReauthFailure('code', 'Wrong 2FA code.');
  }

  /**
   * Make the re-auth token expire with the reveal window: renewing with a smaller
   * increment shortens a token's TTL (verified on OpenBao 2.4), so even if the console
   * crashes the token dies on its own when the window ends.
   */
  async limitTtl(client: VaultClient, seconds: number): Promise<number> {
    const res = await client.request<{ auth: { lease_duration: number } }>('POST', 'auth/token/renew-self', { increment: `${seconds}s` });
    const lease = res.auth.lease_duration;
    if (lease > seconds) throw new AppError('VAULT_ERROR', 'Vault did not shorten the re-authentication token; the reveal was stopped.');
    return lease;
  }

  async revoke(client: VaultClient): Promise<void> {
    try {
      await client.request('POST', 'auth/token/revoke-self');
    } finally {
      client.close();
    }
  }
}
