import type { Services } from '../services/container';
import type { Handlers } from './types';

type RotationChannels =
  | 'rotation:rotate'
  | 'rotation:api-key-copy'
  | 'rotation:api-key-close'
  | 'rotation:emergency-reset'
  | 'rotation:preview'
  | 'rotation:start'
  | 'rotation:jobs'
  | 'rotation:report'
  | 'rotation:cancel'
  | 'rotation:pause'
  | 'rotation:resume'
  | 'rotation:schedules'
  | 'rotation:set-schedules';

export function rotationHandlers({ rotation }: Services): Pick<Handlers, RotationChannels> {
  return {
    'rotation:rotate': async ({ tenantId, target, reason, expectedVersion }) => {
      const { apiKeyOnce, ...result } = await rotation.rotateOne(tenantId, target, reason, expectedVersion);
      // A new API key goes to the renderer once, held in main for its window (api-key-handover.ts).
      return { ...result, newApiKey: apiKeyOnce ? rotation.apiKeys.hold(result.path, apiKeyOnce, result.prefix ?? '') : null };
    },
    'rotation:api-key-copy': async ({ handoverId }) => rotation.apiKeys.copy(handoverId),
    'rotation:api-key-close': async ({ handoverId }) => rotation.apiKeys.close(handoverId, 'user'),
    'rotation:emergency-reset': async ({ tenantId, target, incidentId, reason }) => rotation.emergencyReset(tenantId, target, incidentId, reason),
    'rotation:preview': async ({ selection }) => rotation.preview(selection),
    'rotation:start': async ({ previewId, confirm, reason, concurrency }) => rotation.start(previewId, confirm, reason, concurrency),
    'rotation:jobs': async () => rotation.jobs(),
    'rotation:report': async ({ jobId }) => rotation.report(jobId),
    'rotation:cancel': async ({ jobId }) => rotation.cancel(jobId),
    'rotation:pause': async ({ jobId }) => rotation.pause(jobId),
    'rotation:resume': async ({ jobId }) => rotation.resume(jobId),
    'rotation:schedules': async () => rotation.schedules(),
    'rotation:set-schedules': async ({ schedules, expectedVersion }) => rotation.setSchedules(schedules, expectedVersion),
  };
}
