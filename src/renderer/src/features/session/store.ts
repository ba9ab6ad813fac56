// Session state in the renderer: who is signed in and until when. The token never
// reaches this process; main keeps it in the OS keychain.
import { create } from 'zustand';
import type { SessionInfoView } from '../../../../shared/contract';
import type { ActionId, ActionPermission } from '../../../../shared/capabilities';
import { call, errorMessage, on } from '../../lib/ipc-client';

type Permissions = Record<ActionId, ActionPermission>;

interface SessionState {
  info: SessionInfoView | null;
  /** What the signed-in identity may do; null until known. */
  permissions: Permissions | null;
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

export const useSessionStore = create<SessionState>()((set, get) => {
  const attempt = async (fn: () => Promise<SessionInfoView>): Promise<boolean> => {
    set({ busy: true, error: null });
    try {
      const info = await fn();
      set({ info, busy: false });
      void get().refreshPermissions();
      return info.signedIn;
    } catch (err) {
      set({ busy: false, error: errorMessage(err) });
      return false;
    }
  };
  return {
    info: null,
    permissions: null,
    busy: false,
    error: null,
    async refreshPermissions() {
      try {
        set({ permissions: await call('session:capabilities') });
      } catch {
        // Unknown permissions keep actions disabled (null), never enabled.
        set({ permissions: null });
      }
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
        return on('session:changed', (info) => {
          set({ info });
          void get().refreshPermissions();
        });
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

/** Whether the signed-in identity may take an action, and why not. Unknown counts as not allowed. */
export function useCan(action: ActionId): ActionPermission {
  const p = useSessionStore((s) => s.permissions?.[action]);
  return p ?? { allowed: false, reason: 'Checking your permissions…' };
}
