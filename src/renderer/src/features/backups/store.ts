// Backups view state: history, policy, settings and the progress of the running
// operation (from backup:progress events). No secret is kept here: the S3 secret
// key and re-auth password are sent once and dropped by the form that took them.
import { create } from 'zustand';
import type { BackupProgressView, BackupSettingsView, BackupView, ChannelInput, ChannelOutput } from '../../../../shared/contract';
import { call, errorMessage, on } from '../../lib/ipc-client';

type Policy = ChannelOutput<'backup:policy'>;

interface BackupsState {
  backups: BackupView[];
  policy: Policy | null;
  settings: BackupSettingsView | null;
  progress: BackupProgressView | null;
  running: boolean;
  error: string | null;
  notice: string | null;
  load(): Promise<void>;
  runNow(kind?: 'raft' | 'logical'): Promise<void>;
  cancel(): Promise<void>;
  restore(input: ChannelInput<'backup:restore'>): Promise<ChannelOutput<'backup:restore'>>;
  configure(input: ChannelInput<'backup:configure'>): Promise<void>;
  listen(): () => void;
}

export const useBackupsStore = create<BackupsState>()((set, get) => ({
  backups: [],
  policy: null,
  settings: null,
  progress: null,
  running: false,
  error: null,
  notice: null,

  async load() {
    try {
      const settings = await call('backup:settings');
      set({ settings });
      if (!settings.configured) return;
      const [{ backups }, policy] = await Promise.all([call('backup:list'), call('backup:policy')]);
      set({ backups, policy, error: null });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },

  async runNow(kind) {
    set({ running: true, error: null, notice: null, progress: null });
    try {
      const rec = await call('backup:run', kind ? { kind } : {});
      set({ notice: rec.status === 'completed' ? `Backup ${rec.id} completed.` : null, error: rec.status === 'failed' ? `Backup failed: ${rec.error ?? 'unknown reason'}` : null });
    } catch (err) {
      set({ error: errorMessage(err) });
    } finally {
      set({ running: false });
      await get().load();
    }
  },

  async cancel() {
    await call('backup:cancel').catch(() => undefined);
  },

  async restore(input) {
    const res = await call('backup:restore', input);
    await get().load();
    return res;
  },

  async configure(input) {
    const settings = await call('backup:configure', input);
    set({ settings, notice: 'Backup settings saved.', error: null });
    await get().load();
  },

  listen() {
    try {
      return on('backup:progress', (progress) => set({ progress }));
    } catch {
      return () => undefined;
    }
  },
}));

export function formatBytes(n: number | null): string {
  if (n === null) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
