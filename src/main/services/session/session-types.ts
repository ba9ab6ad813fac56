import type { VaultClient } from '../vault/vault-client';

export type LoginMethod = 'userpass' | 'token';

/** What the UI may know about the session: never the token itself. */
export interface SessionInfo {
  signedIn: boolean;
  profileId: string;
  address: string;
  method: LoginMethod | null;
  displayName: string;
  /** Username for userpass logins (re-authentication needs it). */
  username: string | null;
  entityId: string | null;
  policies: string[];
  /** null: the token never expires (e.g. a root token). */
  expiresAt: string | null;
  renewable: boolean;
  /** True from 5 minutes before a token that cannot be renewed any further expires. */
  expiringSoon: boolean;
  /** Why the last resume or renewal failed, if it did. */
  problem: string | null;
}

/** What other services need from the session. */
export interface Session {
  info(): SessionInfo;
  /** An authenticated client; throws AppError('UNAUTHENTICATED') when signed out. */
  requireClient(): VaultClient;
  onChange(listener: (info: SessionInfo) => void): () => void;
}
