// Reveal state in the renderer. The revealed username and password live here only
// while a reveal is open: every close (Close, timer, sign-out, main's reveal:closed)
// resets the store and drops them. Never log them, never persist them.
import { create } from 'zustand';
import type { RevealCloseReason, RevealStatus, RevealView } from '../../../../shared/contract';
import { call, errorMessage, on } from '../../lib/ipc-client';

export interface RevealTarget {
  tenantId: string;
  tenantName: string;
}

interface RevealState {
  target: RevealTarget | null;
  status: RevealStatus | null;
  /** The one credential on screen; null outside the reveal window. */
  view: RevealView | null;
  /** performance.now() at which the credential hides. */
  deadline: number | null;
  busy: boolean;
  error: string | null;
  /** Why the last reveal closed, shown once after it hid. */
  closedReason: RevealCloseReason | null;
  copied: 'username' | 'password' | null;
  openFor(target: RevealTarget): void;
  loadStatus(): Promise<void>;
  verify(password: string, code: string): Promise<void>;
  copy(field: 'username' | 'password'): Promise<void>;
  /** Close the reveal (and the modal). */
  close(reason?: RevealCloseReason): Promise<void>;
  /** Drop the credential now (timer at 0 or main said closed). */
  hide(reason: RevealCloseReason): void;
  listen(): () => void;
}

const EMPTY = { view: null, deadline: null, copied: null } as const;

export const useRevealStore = create<RevealState>()((set, get) => ({
  target: null,
  status: null,
  view: null,
  deadline: null,
  busy: false,
  error: null,
  closedReason: null,
  copied: null,
  openFor(target) {
    set({ target, error: null, closedReason: null, ...EMPTY });
    void get().loadStatus();
  },
  async loadStatus() {
    try {
      set({ status: await call('reveal:status') });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },
  async verify(password, code) {
    const target = get().target;
    if (!target) return;
    set({ busy: true, error: null, closedReason: null });
    try {
      const view = await call('reveal:verify', { tenantId: target.tenantId, password, code });
      set({ busy: false, view, deadline: performance.now() + view.remainingMs, copied: null });
    } catch (err) {
      set({ busy: false, error: errorMessage(err) });
      void get().loadStatus();
    }
  },
  async copy(field) {
    const view = get().view;
    if (!view) return;
    try {
      await call('reveal:copy', { revealId: view.revealId, field });
      set({ copied: field });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },
  async close(reason = 'user') {
    const view = get().view;
    set({ target: null, status: null, error: null, closedReason: null, ...EMPTY });
    if (view) await call('reveal:close', { revealId: view.revealId }).catch(() => undefined);
    void reason;
  },
  hide(reason) {
    const view = get().view;
    if (!view) return;
    set({ ...EMPTY, closedReason: reason });
    // Main closes on its own timer too; this makes sure it is closed even if that event was lost.
    void call('reveal:close', { revealId: view.revealId }).catch(() => undefined);
  },
  listen() {
    try {
      return on('reveal:closed', ({ revealId, reason }) => {
        if (get().view?.revealId === revealId) set({ ...EMPTY, closedReason: reason });
      });
    } catch {
      return () => undefined;
    }
  },
}));

/** "14:32" from milliseconds, rounded up so 0:00 shows only at the end. */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}
