// Session state in the renderer: who is signed in and until when. The token never
// reaches this process; main keeps it in the OS keychain.
import { create } from 'zustand';
import type { SessionInfoView } from '../../../../shared/contract';
import { clearGates } from '../../lib/gates';
import { call, errorMessage, on } from '../../lib/ipc-client';

interface SessionState {
  info: SessionInfoView | null;
  /** Ask every permission gate again (after a profile switch, or a policy change in Vault). */
  refreshPermissions(): Promise<void>;
  busy: boolean;
  error: string | null;
  resume(): Promise<void>;
  loginUserpass(username: string, password: string): Promise<boolean>;
  loginToken(token: string): Promise<boolean>;
  logout(): Promise<void>;
  /** Listens for session:changed (renewal, expiry); returns the stop function. */
  listen(): () => void;
}

/** Who acts: when it changes, every permission answer belongs to someone else. */
function identity(info: SessionInfoView | null): string {
  return info ? JSON.stringify([info.signedIn, info.profileId, info.address, info.username, info.entityId, info.policies]) : '';
}

export const useSessionStore = create<SessionState>()((set, get) => {
  const adopt = (info: SessionInfoView) => {
    const changed = identity(get().info) !== identity(info);
    set({ info });
    if (changed) clearGates();
  };
  const attempt = async (fn: () => Promise<SessionInfoView>): Promise<boolean> => {
    set({ busy: true, error: null });
    try {
      const info = await fn();
      adopt(info);
      set({ busy: false });
      return info.signedIn;
    } catch (err) {
      set({ busy: false, error: errorMessage(err) });
      return false;
    }
  };
  return {
    info: null,
    busy: false,
    error: null,
    async refreshPermissions() {
      clearGates();
    },
    async resume() {
      await attempt(() => call('session:resume'));
    },
    loginUserpass: (username, password) => attempt(() => call('session:login-userpass', { username, password })),
    loginToken: (token) => attempt(() => call('session:login-token', { token })),
    async logout() {
      await attempt(() => call('session:logout'));
    },
    listen() {
      try {
        return on('session:changed', (info) => adopt(info));
      } catch {
        return () => undefined;
      }
    },
  };
});

/** "m:ss" until the ISO time, never negative. */
export function countdown(expiresAt: string, now: number): string {
  const s = Math.max(0, Math.floor((Date.parse(expiresAt) - now) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
