// Connection profiles: several Vault clusters, one active. Switching one switches
// every view (the health store and the session listen for profiles:changed).
import { create } from 'zustand';
import type { ProfileViewDto } from '../../../../shared/contract';
import type { ProfileEnvironment } from '../../../../shared/profiles/environments';
import { call, errorMessage, on } from '../../lib/ipc-client';
import { useSessionStore } from '../session/store';

export interface ProfileDraft {
  id?: string;
  name: string;
  address: string;
  /** undefined keeps the stored CA; null removes it. */
  caCertPem?: string | null;
  minTls: 'TLSv1.2' | 'TLSv1.3';
  namespace: string;
  kvMount: string;
  environment: ProfileEnvironment;
}

interface ProfilesState {
  profiles: ProfileViewDto[];
  activeId: string | null;
  error: string | null;
  busy: boolean;
  load(): Promise<void>;
  /** confirmSignOut: the user agreed to be signed out (a trust change on the active cluster). */
  save(draft: ProfileDraft, opts?: { confirmSignOut?: boolean }): Promise<boolean>;
  remove(id: string): Promise<void>;
  activate(id: string): Promise<void>;
  listen(): () => void;
}

export const useProfilesStore = create<ProfilesState>()((set, get) => ({
  profiles: [],
  activeId: null,
  error: null,
  busy: false,
  async load() {
    try {
      const r = await call('profiles:list');
      set({ profiles: r.profiles, activeId: r.activeId });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },
  async save(draft, opts = {}) {
    set({ busy: true, error: null });
    try {
      await call('profiles:save', {
        ...(draft.id ? { id: draft.id } : {}),
        name: draft.name,
        address: draft.address,
        ...(draft.caCertPem !== undefined ? { caCertPem: draft.caCertPem } : {}),
        minTls: draft.minTls,
        namespace: draft.namespace || null,
        kvMount: draft.kvMount,
        environment: draft.environment,
        ...(opts.confirmSignOut ? { confirmSignOut: true } : {}),
      });
      await get().load();
      set({ busy: false });
      return true;
    } catch (err) {
      set({ busy: false, error: errorMessage(err) });
      return false;
    }
  },
  async remove(id) {
    set({ error: null });
    try {
      await call('profiles:delete', { id });
      await get().load();
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },
  async activate(id) {
    set({ busy: true, error: null });
    try {
      const r = await call('profiles:activate', { id });
      useSessionStore.setState({ info: r.session });
      void useSessionStore.getState().refreshPermissions();
      set({ activeId: r.activeId, busy: false });
    } catch (err) {
      set({ busy: false, error: errorMessage(err) });
    }
  },
  listen() {
    try {
      return on('profiles:changed', ({ activeId }) => {
        set({ activeId });
        void get().load();
      });
    } catch {
      return () => undefined;
    }
  },
}));

export function activeProfile(s: Pick<ProfilesState, 'profiles' | 'activeId'>): ProfileViewDto | undefined {
  return s.profiles.find((p) => p.id === s.activeId);
}
