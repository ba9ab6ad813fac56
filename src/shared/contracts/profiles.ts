import { z } from 'zod';
import { PROFILE_ENVIRONMENTS } from '../profiles/environments';
import { NoInput } from './common';
import { SessionInfoSchema } from './session';

export const ProfileViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  address: z.string(),
  minTls: z.enum(['TLSv1.2', 'TLSv1.3']),
  namespace: z.string().nullable(),
  kvMount: z.string(),
  environment: z.enum(PROFILE_ENVIRONMENTS),
  caCert: z.object({ subject: z.string(), validTo: z.string() }).nullable(),
  warnings: z.array(z.string()),
});
export type ProfileViewDto = z.infer<typeof ProfileViewSchema>;

export const ProfileInputSchema = z
  .object({
    id: z.string().max(64).optional(),
    name: z.string().max(64),
    address: z.string().max(2048),
    /** PEM of the CA certificate (public). null removes it. */
    caCertPem: z.string().max(65_536).nullable().optional(),
    minTls: z.enum(['TLSv1.2', 'TLSv1.3']),
    namespace: z.string().max(256).nullable().optional(),
    kvMount: z.string().max(128),
    /** The header's colour; absent: production for a new profile, unchanged when editing. */
    environment: z.enum(PROFILE_ENVIRONMENTS).optional(),
    /**
     * Changing the address, CA, minimum TLS or namespace of the cluster you are signed in to
     * signs you out first (the token is revoked over the old settings): the user confirmed it.
     */
    confirmSignOut: z.boolean().optional(),
  })
  .strict();

export const profilesChannels = {
  'profiles:list': {
    input: NoInput,
    output: z.object({ profiles: z.array(ProfileViewSchema), activeId: z.string() }),
  },
  'profiles:save': { input: ProfileInputSchema, output: ProfileViewSchema },
  'profiles:delete': { input: z.object({ id: z.string().max(64) }).strict(), output: z.object({ deleted: z.boolean() }) },
  'profiles:activate': {
    input: z.object({ id: z.string().max(64) }).strict(),
    output: z.object({ activeId: z.string(), session: SessionInfoSchema }),
  },
} as const;

export const profilesEvents = {
  'profiles:changed': z.object({ activeId: z.string() }),
} as const;
