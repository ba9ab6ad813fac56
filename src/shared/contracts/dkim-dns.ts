// DKIM DNS: per resolver, whether each DKIM key's new selector (and the previous one
// during its grace) is published with the key Vault holds; "Check DNS now"; the
// switch-over that waits for DNS ("waiting for DNS", retire anyway with a reason); the
// resolvers of a connection profile; and the records a bulk job's DKIM rotations need.
// Everything here is public DNS data or state: no private key ever crosses IPC.
import { z } from 'zod';
import { DNS_STATES, RESOLVER_STATES } from '../dkim/dns-rules';
import { NoInput } from './common';

const TenantId = z.string().min(1).max(256);
const Domain = z.string().min(1).max(253);

export const ResolverResultSchema = z.object({
  resolver: z.string(),
  state: z.enum(RESOLVER_STATES),
  /** "matches (2 strings joined)", "NXDOMAIN", "ETIMEOUT", "p= holds a different public key", ... */
  detail: z.string(),
});
export type ResolverResult = z.infer<typeof ResolverResultSchema>;

export const SelectorDnsSchema = z.object({
  selector: z.string(),
  /** <selector>._domainkey.<domain> */
  name: z.string(),
  state: z.enum(DNS_STATES),
  /** Per resolver; from the last check (details only when this console just checked). */
  resolvers: z.array(ResolverResultSchema),
});
export type SelectorDns = z.infer<typeof SelectorDnsSchema>;

export const DkimKeyDnsSchema = z.object({
  tenantId: z.string(),
  domain: z.string(),
  path: z.string(),
  current: SelectorDnsSchema.nullable(),
  /** The previous selector while it is in grace (or waiting for DNS); null otherwise. */
  previous: SelectorDnsSchema.extend({ graceUntil: z.string().nullable() }).nullable(),
  /** When the new selector was first seen published and matching on every resolver. */
  firstSeen: z.string().nullable(),
  checkedAt: z.string().nullable(),
  checkedBy: z.string().nullable(),
  /** Retirement of the previous selector held back by DNS: since when, and the earliest retirement. */
  waiting: z.object({ since: z.string().nullable(), retireAfter: z.string().nullable(), reason: z.string() }).nullable(),
  /** Earliest retirement while in grace (max of grace end and first seen + hold), when known. */
  retireAfter: z.string().nullable(),
  /** The last "retire anyway" of this key's previous selector. */
  override: z.object({ by: z.string(), at: z.string(), reason: z.string(), selector: z.string().nullable() }).nullable(),
  holdHours: z.number().int(),
  /** Why the key could not be checked (no selector, malformed key). */
  problem: z.string().nullable(),
});
export type DkimKeyDns = z.infer<typeof DkimKeyDnsSchema>;

export const TenantDkimDnsSchema = z.object({
  tenantId: z.string(),
  resolvers: z.object({ source: z.enum(['profile', 'environment', 'system']), list: z.array(z.string()) }),
  /** true: DNS was queried now; false: the state last recorded in Vault. */
  checkedNow: z.boolean(),
  keys: z.array(DkimKeyDnsSchema),
});
export type TenantDkimDns = z.infer<typeof TenantDkimDnsSchema>;

export const ResolverSettingsSchema = z.object({
  profileId: z.string(),
  /** The profile's own list; empty: the environment's or the system's. */
  configured: z.array(z.string()),
  source: z.enum(['profile', 'environment', 'system']),
  effective: z.array(z.string()),
});
export type ResolverSettings = z.infer<typeof ResolverSettingsSchema>;

export const DkimRecordSchema = z.object({
  tenantId: z.string(),
  domain: z.string(),
  role: z.enum(['new', 'previous']),
  name: z.string(),
  value: z.string(),
  note: z.string(),
});

export const JobDnsRecordsSchema = z.object({
  jobId: z.string(),
  records: z.array(DkimRecordSchema),
  /** One zone-file fragment: absolute names, values split into 255-byte strings. */
  zone: z.string(),
  csv: z.string(),
  /** DKIM items of the job whose records could not be read (deleted since, rotated again). */
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
});
export type JobDnsRecords = z.infer<typeof JobDnsRecordsSchema>;

export const dkimDnsChannels = {
  /** The state recorded in Vault (metadata only; no DNS query). */
  'dkim:status': { input: z.object({ tenantId: TenantId }).strict(), output: TenantDkimDnsSchema },
  /** Check DNS now: every resolver, every DKIM key of the tenant (or one domain); the result is recorded in Vault. */
  'dkim:check': { input: z.object({ tenantId: TenantId, domain: Domain.optional() }).strict(), output: TenantDkimDnsSchema },
  /** Retire the previous selector although DNS has not confirmed the new one; the reason is recorded. */
  'dkim:retire-anyway': {
    input: z.object({ tenantId: TenantId, domain: Domain, reason: z.string().max(2000) }).strict(),
    output: z.object({ retired: z.boolean(), selector: z.string().nullable(), requestId: z.string() }),
  },
  'dkim:resolvers': { input: NoInput, output: ResolverSettingsSchema },
  'dkim:set-resolvers': {
    input: z.object({ profileId: z.string().min(1).max(64).optional(), resolvers: z.array(z.string().max(64)).max(16) }).strict(),
    output: ResolverSettingsSchema,
  },
  /** The DNS records a bulk job's DKIM rotations need, as a zone-file fragment and CSV. */
  'dkim:job-records': { input: z.object({ jobId: z.string().min(1).max(64) }).strict(), output: JobDnsRecordsSchema },
} as const;

export const dkimDnsEvents = {
  /** A scheduled re-check changed recorded states: views showing these tenants reload. */
  'dkim:dns-updated': z.object({ tenantIds: z.array(z.string()) }),
} as const;
