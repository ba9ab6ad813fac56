// SOC 2 reports: main computes the numbers, renders HTML / PDF / JSON and packs them;
// the renderer asks for a period and shows where the pack went and its headline figures.
import { create } from 'zustand';
import type { Soc2Result } from '../../../../shared/contract';
import { call, errorMessage } from '../../lib/ipc-client';

interface ComplianceState {
  result: Soc2Result | null;
  busy: boolean;
  error: string | null;
  generate(from: string, to: string, name: string): Promise<void>;
}

export const useComplianceStore = create<ComplianceState>()((set) => ({
  result: null,
  busy: false,
  error: null,
  async generate(from, to, name) {
    set({ busy: true, error: null, result: null });
    try {
      set({ result: await call('compliance:secret-access-report', { from, to, ...(name.trim() ? { name: name.trim() } : {}) }) });
    } catch (err) {
      set({ error: errorMessage(err) });
    } finally {
      set({ busy: false });
    }
  },
}));
