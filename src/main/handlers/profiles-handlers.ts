import type { Services } from '../services/container';
import type { Handlers } from './types';

type ProfileChannels = 'profiles:list' | 'profiles:save' | 'profiles:delete' | 'profiles:activate';

export function profilesHandlers(services: Services): Pick<Handlers, ProfileChannels> {
  const { profiles } = services;
  return {
    'profiles:list': async () => profiles.list(),
    'profiles:save': async (input) => {
      const saved = profiles.save(input);
      // Editing the active profile takes effect now, not at the next start.
      if (saved.id === profiles.active().id) await services.switchProfile(saved.id);
      return saved;
    },
    'profiles:delete': async ({ id }) => {
      profiles.delete(id);
      // Its saved session goes too; the token is not revoked (that profile's Vault may be far away).
      await services.deps.secretStore.delete(`session:${id}`).catch(() => false);
      return { deleted: true };
    },
    'profiles:activate': async ({ id }) => {
      const session = await services.switchProfile(id);
      return { activeId: id, session };
    },
  };
}
