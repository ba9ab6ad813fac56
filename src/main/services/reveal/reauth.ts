// Re-authentication against Vault, never against the workstation:
//  - the password through a FRESH userpass login (not the session token), whose token
//    then does everything else in the reveal (so Vault's audit log shows the real reveal);
//  - the 2FA code through Vault's TOTP engine (POST totp/code/<key> {code}).
// OpenBao 2.4 also has login MFA (identity/mfa/method/totp), but its enforcement applies
// to every login on the mount (the main sign-in and the CLI too) and needs identity admin
// rights to configure, so the console uses the TOTP engine, scoped to reveals only.
import { AppError } from '../../../shared/errors';
import type { TotpEnrollment } from '../../../shared/contracts/reveal';
import type { VaultConnection } from '../config/app-config';
import { createVaultClient, type VaultClient } from '../vault/vault-client';

export const TOTP_MOUNT = 'totp';
export const TOTP_ISSUER = 'Vault Console';

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

/**
 * The TOTP key name for a Vault username. Vault key names allow letters, digits, _ - .
 * only; anything else is hex-encoded so two usernames never share a key.
 */
export function totpKeyName(username: string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9_.-]{0,100}[A-Za-z0-9]$|^[A-Za-z0-9]$/.test(username)) return `vault-console-${username}`;
  return `vault-console-x-${Buffer.from(username, 'utf8').toString('hex')}`;
}

interface LoginResponse {
  auth: { client_token: string };
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

  /** A fresh userpass login; the returned client holds the new token (caller revokes it). */
  async login(username: string, password: string): Promise<VaultClient> {
    const conn = this.deps.connection();
    const anon = this.makeClient(conn);
    let token: string;
    try {
      const res = await anon.request<LoginResponse>('POST', `auth/userpass/login/${encodeURIComponent(username)}`, { password });
      token = res.auth.client_token;
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
    return this.makeClient(conn, token);
  }

  async hasTotpKey(client: VaultClient, username: string): Promise<boolean> {
    try {
      await client.request('GET', `${TOTP_MOUNT}/keys/${totpKeyName(username)}`);
      return true;
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return false;
      throw err;
    }
  }

  /** Vault validates the code; each code is accepted once (Vault remembers used codes). */
  async validateCode(client: VaultClient, username: string, code: string): Promise<void> {
    let valid = false;
    try {
      const res = await client.request<{ data?: { valid?: boolean } }>('POST', `${TOTP_MOUNT}/code/${totpKeyName(username)}`, { code });
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

  /**
   * Create the user's TOTP key in Vault (Vault generates the seed) and return its
   * otpauth URL and QR code for the one-time display. Vault would silently replace an
   * existing key, so the caller checks hasTotpKey first.
   */
  async enroll(client: VaultClient, username: string): Promise<TotpEnrollment> {
    const res = await client.request<{ data: { url: string; barcode: string } }>('POST', `${TOTP_MOUNT}/keys/${totpKeyName(username)}`, {
      generate: true,
      exported: true,
      issuer: TOTP_ISSUER,
      account_name: username,
      period: 30,
      digits: 6,
      algorithm: 'SHA1',
    });
    return { issuer: TOTP_ISSUER, account: username, otpauthUrl: res.data.url, qrPngBase64: res.data.barcode };
  }
}
