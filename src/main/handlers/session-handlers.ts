import type { Services } from '../services/container';
import type { Handlers } from './types';

type SessionChannels =
  | 'session:info'
  | 'session:resume'
  | 'session:login-userpass'
  | 'session:login-token'
  | 'session:logout'
  | 'session:can';

export function sessionHandlers({ session, capabilities }: Services): Pick<Handlers, SessionChannels> {
  return {
    'session:info': async () => session.info(),
    'session:resume': async () => session.resume(),
    // The password and token are used here in main and never echoed back.
    'session:login-userpass': async ({ username, password }) => session.loginUserpass(username, password),
    'session:login-token': async ({ token }) => session.loginToken(token),
    'session:logout': async () => session.logout(),
    'session:can': async ({ checks }) => ({ results: await capabilities.check(checks) }),
  };
}
