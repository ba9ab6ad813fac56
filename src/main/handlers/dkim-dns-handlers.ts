import type { ResolverSettings } from '../../shared/contracts/dkim-dns';
import { AppError } from '../../shared/errors';
import { effectiveResolvers, parseResolverList } from '../services/dkim-dns/resolvers';
import type { Services } from '../services/container';
import type { Handlers } from './types';

type DkimDnsChannels = 'dkim:status' | 'dkim:check' | 'dkim:retire-anyway' | 'dkim:resolvers' | 'dkim:set-resolvers' | 'dkim:job-records';

function settings(services: Services, profileId: string): ResolverSettings {
  const configured = services.dkimDnsRepo.resolvers(profileId) ?? [];
  const eff = effectiveResolvers(configured, services.deps.dnsResolvers);
  return { profileId, configured, source: eff.source, effective: eff.resolvers.map((r) => r.label) };
}

export function dkimDnsHandlers(services: Services): Pick<Handlers, DkimDnsChannels> {
  const { dkimDns } = services;
  return {
    'dkim:status': async ({ tenantId }) => dkimDns.status(tenantId),
    'dkim:check': async ({ tenantId, domain }) => dkimDns.check(tenantId, domain),
    'dkim:retire-anyway': async ({ tenantId, domain, reason }) => dkimDns.retireAnyway(tenantId, domain, reason),
    'dkim:resolvers': async () => settings(services, services.profiles.active().id),
    'dkim:set-resolvers': async ({ profileId, resolvers }) => {
      const id = profileId ?? services.profiles.active().id;
      // Validated and normalised here: only IP addresses (with ports) are ever stored.
      const list = parseResolverList(resolvers).map((r) => r.label);
      if (!services.dkimDnsRepo.setResolvers(id, list)) throw new AppError('NOT_FOUND', 'That profile no longer exists.');
      return settings(services, id);
    },
    'dkim:job-records': async ({ jobId }) => dkimDns.jobRecords(jobId),
  };
}
