// Incident response (issue 15): "what did this identity read since T, and rotate all of
// it, now". The listing comes from the audit store (never from the renderer), the job is
// a previewed bulk rotation tagged with an incident id (no grace; API keys one by one).
// Cancel, pause and resume go through the rotation:* channels (the same job mechanism).
import { z } from 'zod';
import { INCIDENT_ID_RE } from '../rotation/rules';
import { JobReportSchema, JobSummarySchema, NewApiKeySchema, RotationResultSchema } from './rotation';
import { NoInput } from './common';

export const IDENTITY_KINDS = ['user', 'entity', 'accessor', 'address'] as const;
export type IdentityKindName = (typeof IDENTITY_KINDS)[number];

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/;

/** One identity: a user name as Vault logs it, an identity entity id, a token accessor, or a source address. */
export const IdentitySchema = z
  .object({
    kind: z.enum(IDENTITY_KINDS),
    value: z.string().trim().min(1).max(256),
  })
  .strict()
  .superRefine((v, ctx) => {
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(v.value)) ctx.addIssue({ code: 'custom', message: 'The identity contains control characters.' });
    if (v.kind === 'address' && !IPV4.test(v.value) && !(v.value.includes(':') && IPV6.test(v.value))) ctx.addIssue({ code: 'custom', message: 'A source address is an IPv4 or IPv6 address.' });
    if ((v.kind === 'entity' || v.kind === 'accessor') && !/^[A-Za-z0-9._:-]{1,128}$/.test(v.value)) ctx.addIssue({ code: 'custom', message: `An ${v.kind === 'entity' ? 'entity id' : 'accessor'} is 1-128 letters, digits and . _ : -` });
  });
export type Identity = z.infer<typeof IdentitySchema>;

const Time = z.string().trim().min(1).max(40);
export const IncidentIdSchema = z.string().trim().regex(INCIDENT_ID_RE, 'An incident id looks like INC-2041 or SIRT-2026-004.');

export const BlastRadiusInputSchema = z
  .object({
    identity: IdentitySchema,
    /** ISO date or time, inclusive. */
    since: Time,
    /** ISO date or time, inclusive; absent: now. */
    until: Time.optional(),
  })
  .strict();
export type BlastRadiusInput = z.infer<typeof BlastRadiusInputSchema>;

export const AccessedSecretSchema = z.object({
  /** Relative to the console's KV mount, e.g. "t-000042/ssh/admin". */
  path: z.string(),
  tenantId: z.string(),
  type: z.enum(['ssh', 'smtp', 'api', 'dkim']),
  reads: z.number().int(),
  reveals: z.number().int(),
  downloads: z.number().int(),
  /** Console records of the same accesses (the console notes its reveals and downloads itself too). */
  consoleRecords: z.number().int(),
  first: z.string(),
  last: z.string(),
  /** Vault's current version; null when not checked (signed out) or gone. */
  currentVersion: z.number().int().nullable(),
  /** A version newer than the last access exists (the value changed since); null: not checked. */
  rotatedSince: z.boolean().nullable(),
  lastRotated: z.string().nullable(),
  /** The secret no longer exists in Vault (true), exists (false), not checked (null). */
  gone: z.boolean().nullable(),
});
export type AccessedSecret = z.infer<typeof AccessedSecretSchema>;

export const BlastRadiusSchema = z.object({
  identity: z.object({ kind: z.enum(IDENTITY_KINDS), value: z.string() }),
  /** The values searched for (an accessor also as Vault's HMAC of it per audit device). */
  matchedValues: z.number().int(),
  since: z.string(),
  until: z.string(),
  mount: z.string(),
  secrets: z.array(AccessedSecretSchema),
  tenants: z.number().int(),
  /** Tenant secrets read in other KV mounts (listed; this console's jobs rotate its own mount only). */
  otherMounts: z.array(z.object({ path: z.string(), count: z.number().int(), last: z.string() })),
  /** Whether Vault was asked for the current versions (needs a session). */
  vaultChecked: z.boolean(),
  notes: z.array(z.string()),
  /** Where the accesses were counted: "local store" or "VictoriaLogs at host:port {stream}". */
  auditSource: z.string(),
});
export type BlastRadius = z.infer<typeof BlastRadiusSchema>;

export const IncidentPreviewSchema = z.object({
  previewId: z.string(),
  incidentId: z.string(),
  label: z.string(),
  total: z.number().int(),
  byType: z.object({ ssh: z.number().int(), smtp: z.number().int(), dkim: z.number().int(), api: z.number().int() }),
  tenants: z.number().int(),
  confirmPhrase: z.string(),
  expiresAt: z.string(),
  targets: z.array(z.object({ path: z.string(), type: z.enum(['ssh', 'smtp', 'dkim', 'api']), version: z.number().int() })),
  /** Left out of the job, with the reason; API keys: "rotate one by one (the new key is shown once)". */
  excluded: z.array(z.object({ path: z.string(), reason: z.string(), type: z.enum(['ssh', 'smtp', 'dkim', 'api']).nullable() })),
  defaultReason: z.string(),
});
export type IncidentPreview = z.infer<typeof IncidentPreviewSchema>;

export const IncidentReportSchema = z.object({
  incidentId: z.string(),
  job: JobReportSchema,
  /** Secrets the job rotated, with their new version. */
  rotated: z.array(z.object({ path: z.string(), version: z.number().int().nullable() })),
  /** API keys the identity read: each needs its own rotation (the new key is shown once). */
  apiKeys: z.array(z.string()),
});
export type IncidentReport = z.infer<typeof IncidentReportSchema>;

const JobId = z.object({ jobId: z.string().min(1).max(64) }).strict();

export const incidentChannels = {
  'incident:blast-radius': { input: BlastRadiusInputSchema, output: BlastRadiusSchema },
  /** The listing again (from the audit store, in main), as a previewed job tagged with the incident. */
  'incident:preview': { input: BlastRadiusInputSchema.extend({ incidentId: IncidentIdSchema }).strict(), output: IncidentPreviewSchema },
  'incident:start': {
    input: z.object({ previewId: z.string().min(1).max(64), confirm: z.string().max(64), reason: z.string().max(2000), concurrency: z.number().int().min(1).max(64).optional() }).strict(),
    output: JobSummarySchema,
  },
  'incident:jobs': { input: NoInput, output: z.array(JobSummarySchema) },
  'incident:report': { input: JobId, output: IncidentReportSchema },
  /** One API key the identity read: rotated on its own, the new key shown once (like Rotate Now), the incident id recorded. */
  'incident:rotate-api-key': {
    input: z.object({ incidentId: IncidentIdSchema, path: z.string().min(1).max(300), reason: z.string().max(2000) }).strict(),
    output: RotationResultSchema.extend({ newApiKey: NewApiKeySchema.nullable() }),
  },
} as const;

export const incidentEvents = {} as const;
