import type { Services } from '../services/container';
import type { Handlers } from './types';

type IncidentChannels = 'incident:blast-radius' | 'incident:preview' | 'incident:start' | 'incident:jobs' | 'incident:report' | 'incident:rotate-api-key';

export function incidentHandlers({ incident }: Services): Pick<Handlers, IncidentChannels> {
  return {
    'incident:blast-radius': async (input) => incident.blastRadius(input),
    'incident:preview': async (input) => incident.preview(input),
    'incident:start': async ({ previewId, confirm, reason, concurrency }) => incident.start(previewId, confirm, reason, concurrency),
    'incident:jobs': async () => incident.jobs(),
    'incident:report': async ({ jobId }) => incident.report(jobId),
    'incident:rotate-api-key': async ({ incidentId, path, reason }) => incident.rotateApiKey(incidentId, path, reason),
  };
}
