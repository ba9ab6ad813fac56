// Bulk rotation state: the preview being confirmed (made in the Rotation view, from a job
// report's "rotate these now", or from the tenant list's filter), the jobs (kept in main's
// SQLite), live progress from rotation:job-progress, and the report of a finished job.
// Nothing here holds a secret: results carry versions, fingerprints and selectors.
import { create } from 'zustand';
import type { BulkSelectionInput, JobReport, JobSummary, RotationPreview, StoredSchedules } from '../../../../shared/contract';

/** Where a preview was asked for: it shows there (the Rotation view, or the tenant list). */
export type PreviewOrigin = 'rotation' | 'tenants';
import { call, errorMessage, on } from '../../lib/ipc-client';

interface RotationState {
  preview: RotationPreview | null;
  previewOrigin: PreviewOrigin;
  previewBusy: boolean;
  /** The job the last start made (the tenant list links to its progress). */
  started: JobSummary | null;
  jobs: JobSummary[];
  report: JobReport | null;
  error: string | null;
  schedules: StoredSchedules | null;
  schedulesError: string | null;
  schedulesSaved: boolean;
  load(): Promise<void>;
  listen(): () => void;
  makePreview(selection: BulkSelectionInput, origin?: PreviewOrigin): Promise<void>;
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
  previewOrigin: 'rotation',
  previewBusy: false,
  started: null,
  jobs: [],
  report: null,
  error: null,
  schedules: null,
  schedulesError: null,
  schedulesSaved: false,

  async load() {
    // The view mounts at each sign-in: what was on screen belonged to the previous identity.
    const open = get().report?.id;
    set({ preview: null, started: null });
    try {
      set({ jobs: await call('rotation:jobs'), error: null });
      if (open) set({ report: await call('rotation:report', { jobId: open }) });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },

  listen() {
    return on('rotation:job-progress', (j) => {
      set({ jobs: upsert(get().jobs, j), ...(get().started?.id === j.id ? { started: j } : {}) });
      // A job that just ended shows its report.
      if ((j.status === 'completed' || j.status === 'cancelled' || j.status === 'paused') && (get().report === null || get().report?.id === j.id)) void get().showReport(j.id);
    });
  },

  async makePreview(selection, origin = 'rotation') {
    set({ previewBusy: true, error: null, preview: null, previewOrigin: origin, started: null });
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
      set({ preview: null, started: job, jobs: upsert(get().jobs, job), report: null, error: null });
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
