// Incident response state: the identity and window being looked at, the blast radius main
// computed from the audit store, the incident-tagged preview, incident jobs (live through
// rotation:job-progress) and their reports. Never a secret: paths, counts, times, versions.
import { create } from 'zustand';
import type { BlastRadius, BlastRadiusInput, IncidentPreview, IncidentReport, JobSummary } from '../../../../shared/contract';
import { call, errorMessage, on } from '../../lib/ipc-client';
import { useApiKeyStore } from '../rotation';

interface IncidentState {
  query: BlastRadiusInput | null;
  radius: BlastRadius | null;
  busy: boolean;
  error: string | null;
  preview: IncidentPreview | null;
  jobs: JobSummary[];
  report: IncidentReport | null;
  /** API keys rotated one by one in this session (path → new version). */
  apiKeysDone: Record<string, number>;
  list(q: BlastRadiusInput): Promise<void>;
  makePreview(incidentId: string): Promise<void>;
  clearPreview(): void;
  start(confirm: string, reason: string): Promise<boolean>;
  act(action: 'rotation:cancel' | 'rotation:pause' | 'rotation:resume', jobId: string): Promise<void>;
  load(): Promise<void>;
  listen(): () => void;
  showReport(jobId: string): Promise<void>;
  rotateApiKey(incidentId: string, path: string): Promise<void>;
}

export const useIncidentStore = create<IncidentState>()((set, get) => ({
  query: null,
  radius: null,
  busy: false,
  error: null,
  preview: null,
  jobs: [],
  report: null,
  apiKeysDone: {},

  async list(q) {
    set({ busy: true, error: null, radius: null, preview: null, query: q });
    try {
      set({ radius: await call('incident:blast-radius', q) });
    } catch (err) {
      set({ error: errorMessage(err) });
    } finally {
      set({ busy: false });
    }
  },

  async makePreview(incidentId) {
    const q = get().query;
    if (!q) return;
    set({ busy: true, error: null, preview: null });
    try {
      set({ preview: await call('incident:preview', { ...q, incidentId }) });
    } catch (err) {
      set({ error: errorMessage(err) });
    } finally {
      set({ busy: false });
    }
  },

  clearPreview() {
    set({ preview: null });
  },

  async start(confirm, reason) {
    const p = get().preview;
    if (!p) return false;
    try {
      const job = await call('incident:start', { previewId: p.previewId, confirm, reason: reason.trim() || p.defaultReason });
      set({ preview: null, jobs: [job, ...get().jobs.filter((j) => j.id !== job.id)], error: null });
      return true;
    } catch (err) {
      set({ error: errorMessage(err) });
      return false;
    }
  },

  async act(action, jobId) {
    try {
      const j = await call(action, { jobId });
      set({ jobs: get().jobs.map((x) => (x.id === j.id ? j : x)) });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },

  async load() {
    try {
      set({ jobs: await call('incident:jobs') });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },

  listen() {
    return on('rotation:job-progress', (j) => {
      if (!j.incidentId) return;
      const jobs = get().jobs;
      const i = jobs.findIndex((x) => x.id === j.id);
      set({ jobs: i < 0 ? [j, ...jobs] : jobs.map((x) => (x.id === j.id ? j : x)) });
      if (j.status !== 'running' && (get().report === null || get().report?.job.id === j.id)) void get().showReport(j.id);
    });
  },

  async showReport(jobId) {
    try {
      set({ report: await call('incident:report', { jobId }) });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },

  async rotateApiKey(incidentId, path) {
    try {
      const r = await call('incident:rotate-api-key', { incidentId, path, reason: '' });
      if (r.newApiKey) useApiKeyStore.getState().show(r.newApiKey);
      set({ apiKeysDone: { ...get().apiKeysDone, [path]: r.version }, error: null });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },
}));
