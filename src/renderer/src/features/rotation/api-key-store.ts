// The new key of an API-key rotation while it is shown (once: Vault keeps only its hash).
// It lives here only during its window: Close, the timer, main's rotation:api-key-closed
// (sign-out, screen lock, another key) all drop it. Never log it, never persist it.
import { create } from 'zustand';
import type { ApiKeyCloseReason, NewApiKey } from '../../../../shared/contract';
import { call, errorMessage, on } from '../../lib/ipc-client';

interface ApiKeyState {
  view: NewApiKey | null;
  /** performance.now() at which the key hides. */
  deadline: number | null;
  copied: boolean;
  error: string | null;
  /** Why the key was hidden, shown once after it is gone. */
  closedReason: ApiKeyCloseReason | null;
  show(view: NewApiKey): void;
  copy(): Promise<void>;
  /** Close: main zeroes its copy and clears the clipboard if it still holds the key. */
  close(): Promise<void>;
  /** Drop the key now (timer at 0, or main said it closed). */
  hide(reason: ApiKeyCloseReason): void;
  listen(): () => void;
}

const EMPTY = { view: null, deadline: null, copied: false } as const;

export const useApiKeyStore = create<ApiKeyState>()((set, get) => ({
  view: null,
  deadline: null,
  copied: false,
  error: null,
  closedReason: null,
  show(view) {
    set({ view, deadline: performance.now() + view.remainingMs, copied: false, error: null, closedReason: null });
  },
  async copy() {
    const view = get().view;
    if (!view) return;
    try {
      await call('rotation:api-key-copy', { handoverId: view.handoverId });
      set({ copied: true, error: null });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },
  async close() {
    const view = get().view;
    set({ ...EMPTY, error: null, closedReason: null });
    if (view) await call('rotation:api-key-close', { handoverId: view.handoverId }).catch(() => undefined);
  },
  hide(reason) {
    const view = get().view;
    if (!view) return;
    set({ ...EMPTY, closedReason: reason });
    // Main closes on its own timer too; this makes sure it is closed even if that event was lost.
    void call('rotation:api-key-close', { handoverId: view.handoverId }).catch(() => undefined);
  },
  listen() {
    try {
      return on('rotation:api-key-closed', ({ handoverId, reason }) => {
        if (get().view?.handoverId === handoverId) set({ ...EMPTY, closedReason: reason });
      });
    } catch {
      return () => undefined;
    }
  },
}));
