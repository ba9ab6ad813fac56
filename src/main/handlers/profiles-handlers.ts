import { AppError } from '../../shared/errors';
import type { Services } from '../services/container';
import { toConnection } from '../services/profiles/profiles-service';
import { signOutStored } from '../services/session/session-service';
import type { Handlers } from './types';

type ProfileChannels = 'profiles:list' | 'profiles:save' | 'profiles:delete' | 'profiles:activate';

export function profilesHandlers(services: Services): Pick<Handlers, ProfileChannels> {
  const { profiles } = services;
  return {
    'profiles:list': async () => profiles.list(),
    'profiles:save': async ({ confirmSignOut, ...input }) => {
      const existing = input.id ? profiles.get(input.id) : undefined;
      // Validate first: nobody is signed out for a change that is then refused.
      const row = profiles.prepare(input);
      const isActive = existing !== undefined && existing.id === profiles.active().id;
      const trust = existing ? profiles.trustChanges(existing, input) : [];
      if (existing && trust.length > 0) {
        // Security: a live token is never carried over to other trust settings. Sign out
        // first, revoking over the OLD settings (the ones the token was obtained with).
        if (isActive && services.session.info().signedIn) {
          if (confirmSignOut !== true) {
            throw new AppError('BAD_INPUT', `Changing the ${trust.join(', ')} of the cluster you are signed in to signs you out first: confirm to continue.`);
          }
          await services.session.logout();
        }
        await signOutStored(services.deps.secretStore, toConnection(existing, services.deps.connection.timeoutMs), existing.id);
      }
      const saved = profiles.store(row);
      // Editing the active profile takes effect now (new settings, the session they allow);
      // a new or another profile never becomes active by being saved.
      if (isActive) await services.switchProfile(saved.id);
      return saved;
    },
    'profiles:delete': async ({ id }) => {
      const row = profiles.delete(id);
      // Its saved session goes too, revoked over its own settings when its Vault answers.
      await signOutStored(services.deps.secretStore, toConnection(row, services.deps.connection.timeoutMs), id).catch(() => false);
      return { deleted: true };
    },
    'profiles:activate': async ({ id }) => {
      const session = await services.switchProfile(id);
      return { activeId: id, session };
    },
  };
}
