import type { Services } from '../services/container';
import type { Handlers } from './types';

type EnrolmentChannels = 'enrolment:status' | 'enrolment:grant' | 'enrolment:begin' | 'enrolment:confirm';

export function enrolmentHandlers({ enrolment }: Services): Pick<Handlers, EnrolmentChannels> {
  return {
    'enrolment:status': async () => enrolment.status(),
    'enrolment:grant': async ({ username, validMinutes }) => enrolment.grant(username, validMinutes),
    // The QR code and otpauth URL go to the renderer once, to be scanned; main keeps nothing.
    'enrolment:begin': async ({ granterEntityId }) => enrolment.begin(granterEntityId),
    // The code is checked by Vault and never echoed back or logged.
    'enrolment:confirm': async ({ grantId, code }) => enrolment.confirm(grantId, code),
  };
}
