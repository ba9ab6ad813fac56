// Evidence packs in the app: export the audit view's current filter as a signed pack, the
// console's public key for auditors, and "Verify a pack" (main reads the folder; the
// renderer only shows the verdict).
import { create } from 'zustand';
import type { AuditFilter, PackResultView, VerifyResultView } from '../../../../shared/contract';
import { call, errorMessage } from '../../lib/ipc-client';

interface EvidenceState {
  exported: PackResultView | null;
  publicKey: { pem: string; fingerprint: string; path?: string } | null;
  verify: VerifyResultView | null;
  busy: boolean;
  error: string | null;
  exportPack(filter: AuditFilter): Promise<void>;
  showKey(save: boolean): Promise<void>;
  verifyPack(pack: string, publicKey: string): Promise<void>;
}

export const useEvidenceStore = create<EvidenceState>()((set) => ({
  exported: null,
  publicKey: null,
  verify: null,
  busy: false,
  error: null,

  async exportPack(filter) {
    set({ busy: true, error: null, exported: null });
    try {
      set({ exported: await call('evidence:export', { filter }) });
    } catch (err) {
      set({ error: errorMessage(err) });
    } finally {
      set({ busy: false });
    }
  },

  async showKey(save) {
    set({ error: null });
    try {
      const k = await call('evidence:public-key');
      const saved = save ? await call('evidence:export-public-key') : null;
      set({ publicKey: { ...k, ...(saved ? { path: saved.path } : {}) } });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },

  async verifyPack(pack, publicKey) {
    set({ busy: true, error: null, verify: null });
    try {
      set({ verify: await call('evidence:verify', { pack: pack.trim(), ...(publicKey.trim() ? { publicKey: publicKey.trim() } : {}) }) });
    } catch (err) {
      set({ error: errorMessage(err) });
    } finally {
      set({ busy: false });
    }
  },
}));
