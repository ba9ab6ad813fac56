// Bulk rotation state: the preview being confirmed, the jobs (kept in main's SQLite),
// live progress from rotation:job-progress, and the report of a finished job.
// Nothing here holds a secret: results carry versions, fingerprints and selectors.
import { create } from 'zustand';
import type { BulkSelection, JobReport, JobSummary, RotationPreview, StoredSchedules } from '../../../../shared/contract';
import { call, errorMessage, on } from '../../lib/ipc-client';

interface RotationState {
  preview: RotationPreview | null;
  previewBusy: boolean;
  jobs: JobSummary[];
  report: JobReport | null;
  error: string | null;
  schedules: StoredSchedules | null;
  schedulesError: string | null;
  schedulesSaved: boolean;
  load(): Promise<void>;
  listen(): () => void;
  makePreview(selection: BulkSelection): Promise<void>;
  clearPreview(): void;
  start(confirm: string, reason: string): Promise<boolean>;
  act(action: 'rotation:cancel' | 'rotation:pause' | 'rotation:resume', jobId: string): Promise<void>;
  showReport(jobId: string): Promise<void>;
  loadSchedules(): Promise<void>;
  saveSchedules(s: StoredSchedules['schedules']): Promise<void>;
}

function upsert(list: JobSummary[], j: JobSummary): JobSummary[] {
  const i = list.findIndex((x) => x.id === j.id);
  if (i < 0) return [j, ...list];
  const next = list.slice();
  next[i] = j;
  return next;
}

export const useRotationStore = create<RotationState>()((set, get) => ({
  preview: null,
  previewBusy: false,
  jobs: [],
  report: null,
  error: null,
  schedules: null,
  schedulesError: null,
  schedulesSaved: false,

  async load() {
    try {
      set({ jobs: await call('rotation:jobs'), error: null });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },

  listen() {
    return on('rotation:job-progress', (j) => {
      set({ jobs: upsert(get().jobs, j) });
      // A job that just ended shows its report.
      if ((j.status === 'completed' || j.status === 'cancelled' || j.status === 'paused') && (get().report === null || get().report?.id === j.id)) void get().showReport(j.id);
    });
  },

  async makePreview(selection) {
    set({ previewBusy: true, error: null, preview: null });
    try {
      set({ preview: await call('rotation:preview', { selection }) });
    } catch (err) {
      set({ error: errorMessage(err) });
    } finally {
      set({ previewBusy: false });
    }
  },

  clearPreview() {
    set({ preview: null });
  },

  async start(confirm, reason) {
    const p = get().preview;
    if (!p) return false;
    try {
      const job = await call('rotation:start', { previewId: p.previewId, confirm, reason });
      set({ preview: null, jobs: upsert(get().jobs, job), report: null, error: null });
      return true;
    } catch (err) {
      set({ error: errorMessage(err) });
      return false;
    }
  },

  async act(action, jobId) {
    try {
      set({ jobs: upsert(get().jobs, await call(action, { jobId })), error: null });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },

  async showReport(jobId) {
    try {
      set({ report: await call('rotation:report', { jobId }) });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },

  async loadSchedules() {
    try {
      set({ schedules: await call('rotation:schedules'), schedulesError: null });
    } catch (err) {
      set({ schedulesError: errorMessage(err) });
    }
  },

  async saveSchedules(s) {
    const cur = get().schedules;
    set({ schedulesSaved: false });
    try {
      set({ schedules: await call('rotation:set-schedules', { schedules: s, expectedVersion: cur?.version ?? 0 }), schedulesError: null, schedulesSaved: true });
    } catch (err) {
      set({ schedulesError: errorMessage(err) });
    }
  },
}));
