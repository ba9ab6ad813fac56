// Second-factor enrolment in the renderer. The otpauth URL (the seed) is held here only
// while its QR code is on screen, until the code is confirmed or the panel closes.
import { create } from 'zustand';
import type { EnrolmentStart, EnrolmentStatus } from '../../../../shared/contract';
import { call, errorMessage } from '../../lib/ipc-client';

interface EnrolmentState {
  status: EnrolmentStatus | null;
  /** The opened grant's QR code, until confirmed or dropped. */
  started: EnrolmentStart | null;
  busy: boolean;
  error: string | null;
  notice: string | null;
  granted: { username: string; expiresAt: string } | null;
  grantError: string | null;
  load(): Promise<void>;
  begin(granterEntityId: string): Promise<void>;
  confirm(code: string): Promise<boolean>;
  drop(): void;
  grant(username: string, validMinutes: number): Promise<boolean>;
}

export const useEnrolmentStore = create<EnrolmentState>()((set, get) => ({
  status: null,
  started: null,
  busy: false,
  error: null,
  notice: null,
  granted: null,
  grantError: null,
  async load() {
    try {
      set({ status: await call('enrolment:status') });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },
  async begin(granterEntityId) {
    set({ busy: true, error: null, notice: null });
    try {
      set({ started: await call('enrolment:begin', { granterEntityId }), busy: false });
    } catch (err) {
      set({ busy: false, error: errorMessage(err) });
    }
    void get().load();
  },
  async confirm(code) {
    const started = get().started;
    if (!started) return false;
    set({ busy: true, error: null });
    try {
      const status = await call('enrolment:confirm', { grantId: started.grantId, code });
      // Active: the seed leaves the screen for good.
      set({ status, started: null, busy: false, notice: 'Your second factor is active. Vault checks its codes from now on.' });
      return true;
    } catch (err) {
      set({ busy: false, error: errorMessage(err) });
      return false;
    }
  },
  drop() {
    set({ started: null, error: null });
  },
  async grant(username, validMinutes) {
    set({ busy: true, grantError: null, granted: null });
    try {
      const r = await call('enrolment:grant', { username, validMinutes });
      set({ busy: false, granted: { username: r.username, expiresAt: r.expiresAt } });
      return true;
    } catch (err) {
      set({ busy: false, grantError: errorMessage(err) });
      return false;
    }
  },
}));
