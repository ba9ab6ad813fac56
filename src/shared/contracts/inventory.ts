// Tenant secrets inventory: search the local metadata index, sync it from Vault, show a
// tenant's secret details, download the tenant SSH key, revoke an API key.
// Nothing here carries a secret value: the index holds metadata only, and the SSH key
// download writes the key to a file in main and returns only the path.
import { z } from 'zod';
import { NoInput } from './common';

export const INVENTORY_SECRET_TYPES = ['ssh', 'smtp', 'api', 'dkim'] as const;
export const STATUS_FILTERS = ['active', 'expired', 'revoked'] as const;
export const DUE_FILTERS = ['7d', '30d', 'overdue'] as const;
export const SORT_COLUMNS = ['tenantId', 'name', 'vpsIp', 'ssh', 'smtp', 'apiCount', 'dkimCount', 'lastRotation', 'actions'] as const;
const HEALTH = ['healthy', 'due30', 'due7', 'overdue', 'expired', 'revoked', 'unknown', 'none'] as const;

export const SecretTypeFilterSchema = z.enum(['all', ...INVENTORY_SECRET_TYPES]);
export const HealthSchema = z.enum(HEALTH);
export type ColumnHealth = z.infer<typeof HealthSchema>;

export const TenantSearchInputSchema = z
  .object({
    /** Tenant id or name (substring, any case) or VPS IP (prefix). */
    query: z.string().max(512).default(''),
    type: SecretTypeFilterSchema.default('all'),
    status: z.enum(STATUS_FILTERS).optional(),
    due: z.enum(DUE_FILTERS).optional(),
    sort: z.enum(SORT_COLUMNS).default('tenantId'),
    dir: z.enum(['asc', 'desc']).default('asc'),
    offset: z.number().int().min(0).max(10_000_000).default(0),
    limit: z.number().int().min(1).max(1000).default(100),
  })
  .strict();
export type TenantSearchInput = z.input<typeof TenantSearchInputSchema>;
export type TenantSearchQuery = z.output<typeof TenantSearchInputSchema>;

/** One secret type of a tenant, as its table cell shows it: the worst status and how many secrets have it. */
export const TypeSummarySchema = z.object({
  /** Worst status of this type's secrets ("none" when the tenant has none). */
  health: HealthSchema,
  /** How many of them have that status. */
  count: z.number().int(),
  /** How many secrets of this type the tenant has. */
  total: z.number().int(),
});
export type TypeSummary = z.infer<typeof TypeSummarySchema>;

/** A secret that made the tenant match the status / rotation-due filter (which secret is due). */
export const MatchedSecretSchema = z.object({
  type: z.enum(INVENTORY_SECRET_TYPES),
  /** admin | tenant | <keyId> | <domain> */
  name: z.string(),
  health: HealthSchema,
  nextRotation: z.string().nullable(),
});
export type MatchedSecret = z.infer<typeof MatchedSecretSchema>;

export const MATCHED_LIMIT = 5;

export const TenantRowSchema = z.object({
  tenantId: z.string(),
  name: z.string(),
  vpsIp: z.string(),
  ssh: HealthSchema,
  smtp: HealthSchema,
  /** Worst of all the tenant's secrets: the row's colour and what the Actions column acts on. */
  overall: HealthSchema,
  apiCount: z.number().int(),
  dkimCount: z.number().int(),
  /** Every secret type: worst status and count (SSH, SMTP, API keys, DKIM keys). */
  types: z.object({ ssh: TypeSummarySchema, smtp: TypeSummarySchema, api: TypeSummarySchema, dkim: TypeSummarySchema }),
  /** With a status or rotation-due filter: the secrets that match it, worst first (at most MATCHED_LIMIT). */
  matched: z.array(MatchedSecretSchema),
  matchedTotal: z.number().int(),
  lastRotation: z.string().nullable(),
  /** Secrets whose metadata is missing or malformed. */
  problems: z.number().int(),
});
export type TenantRow = z.infer<typeof TenantRowSchema>;

export const IndexStateSchema = z.object({
  mount: z.string(),
  tenants: z.number().int(),
  /** End of the last sync that finished; null before the first. */
  lastSyncAt: z.string().nullable(),
  lastFullSyncAt: z.string().nullable(),
  /** The run in progress (in this process), if any. */
  running: z.boolean(),
  /** The previous run did not finish (process died, cancelled or failed). */
  lastOutcome: z.string().nullable(),
});
export type IndexState = z.infer<typeof IndexStateSchema>;

export const TenantSearchResultSchema = z.object({
  total: z.number().int(),
  offset: z.number().int(),
  rows: z.array(TenantRowSchema),
  index: IndexStateSchema,
});
export type TenantSearchResult = z.infer<typeof TenantSearchResultSchema>;

export const SyncModeSchema = z.enum(['incremental', 'full']);
export const SyncProgressSchema = z.object({
  runId: z.number().int(),
  mode: SyncModeSchema,
  phase: z.enum(['listing', 'scanning', 'done']),
  total: z.number().int(),
  done: z.number().int(),
  scanned: z.number().int(),
  unchanged: z.number().int(),
});
export type SyncProgress = z.infer<typeof SyncProgressSchema>;

export const SyncResultSchema = z.object({
  runId: z.number().int(),
  mode: SyncModeSchema,
  outcome: z.enum(['done', 'cancelled']),
  total: z.number().int(),
  scanned: z.number().int(),
  unchanged: z.number().int(),
  added: z.number().int(),
  removed: z.number().int(),
  problems: z.number().int(),
  requests: z.number().int(),
  durationMs: z.number(),
  /** How tenants were scanned; none when nothing needed a scan. */
  strategy: z.enum(['detailed', 'plain', 'none']),
});
export type SyncResult = z.infer<typeof SyncResultSchema>;

const SecretCommon = {
  path: z.string(),
  health: HealthSchema,
  status: z.string(),
  lastRotated: z.string().nullable(),
  nextRotation: z.string().nullable(),
  currentVersion: z.number().int(),
  /** Why health is "unknown". */
  problem: z.string().nullable(),
};
export const SshKeyInfoSchema = z.object({ ...SecretCommon, fingerprint: z.string().nullable(), lastDownloaded: z.string().nullable(), graceUntil: z.string().nullable() });
export const SmtpInfoSchema = z.object({ ...SecretCommon, usernameMasked: z.string().nullable(), webmailUrl: z.string().nullable() });
export const ApiKeyInfoSchema = z.object({
  ...SecretCommon,
  keyId: z.string(),
  prefix: z.string().nullable(),
  permissions: z.array(z.string()),
  rateLimit: z.number().nullable(),
  created: z.string().nullable(),
  lastUsed: z.string().nullable(),
  requestCount: z.number().nullable(),
});
export const DkimInfoSchema = z.object({ ...SecretCommon, domain: z.string(), selector: z.string().nullable(), dnsName: z.string().nullable(), graceUntil: z.string().nullable() });
export type SshKeyInfo = z.infer<typeof SshKeyInfoSchema>;
export type SmtpInfo = z.infer<typeof SmtpInfoSchema>;
export type ApiKeyInfo = z.infer<typeof ApiKeyInfoSchema>;
export type DkimInfo = z.infer<typeof DkimInfoSchema>;

export const TenantDetailsSchema = z.object({
  tenantId: z.string(),
  name: z.string(),
  vpsIp: z.string(),
  domains: z.array(z.string()),
  scannedAt: z.string(),
  sshAdmin: SshKeyInfoSchema.nullable(),
  sshTenant: SshKeyInfoSchema.nullable(),
  smtp: SmtpInfoSchema.nullable(),
  apiKeys: z.array(ApiKeyInfoSchema),
  dkim: z.array(DkimInfoSchema),
  problems: z.array(z.object({ path: z.string(), reason: z.string() })),
});
export type TenantDetails = z.infer<typeof TenantDetailsSchema>;

const TenantIdInput = z.string().min(1).max(256);
const RelPath = z.string().min(1).max(1024);

export const RotationHistorySchema = z.object({
  path: z.string(),
  versions: z.array(
    z.object({
      version: z.number().int(),
      createdTime: z.string(),
      deletionTime: z.string(),
      destroyed: z.boolean(),
      current: z.boolean(),
      /** Recorded for the current version only (custom_metadata rotated_by / rotation_reason / source). */
      by: z.string().nullable(),
      reason: z.string().nullable(),
    }),
  ),
});
export type RotationHistory = z.infer<typeof RotationHistorySchema>;

export const DkimDnsSchema = z.object({
  domain: z.string(),
  records: z.array(z.object({ name: z.string(), type: z.literal('TXT'), value: z.string(), note: z.string() })),
});
export type DkimDns = z.infer<typeof DkimDnsSchema>;

const UsagePointSchema = z.object({ period: z.string(), count: z.number().int() });

/**
 * API key usage over time, as the platform keeps it in each key's custom_metadata
 * (usage_daily / usage_monthly; docs/vault-layout.md), read fresh from Vault's metadata.
 */
export const ApiUsageSchema = z.object({
  tenantId: z.string(),
  /** When main read the counters from Vault. */
  readAt: z.string(),
  keys: z.array(
    z.object({
      keyId: z.string(),
      status: z.string(),
      /** request_count: requests over the key's lifetime. */
      total: z.number().nullable(),
      lastUsed: z.string().nullable(),
      /** Requests per UTC day, the last 30 days. */
      daily: z.array(UsagePointSchema),
      /** Requests per UTC month, the last 12 months. */
      monthly: z.array(UsagePointSchema),
      /** When the platform's metering job last wrote the counters. */
      updatedAt: z.string().nullable(),
      /** Why the counters are missing or unreadable. */
      problem: z.string().nullable(),
    }),
  ),
});
export type ApiUsage = z.infer<typeof ApiUsageSchema>;

export const inventoryChannels = {
  'tenants:search': { input: TenantSearchInputSchema, output: TenantSearchResultSchema },
  'tenants:index-state': { input: NoInput, output: IndexStateSchema },
  'tenants:sync': { input: z.object({ mode: SyncModeSchema.default('incremental') }).strict(), output: SyncResultSchema },
  'tenants:sync-cancel': { input: NoInput, output: z.object({ cancelled: z.boolean() }) },
  'tenants:show': { input: z.object({ tenantId: TenantIdInput }).strict(), output: TenantDetailsSchema },
  'tenants:history': { input: z.object({ tenantId: TenantIdInput, path: RelPath }).strict(), output: RotationHistorySchema },
  'tenants:dkim-dns': { input: z.object({ tenantId: TenantIdInput, domain: z.string().min(1).max(253) }).strict(), output: DkimDnsSchema },
  'tenants:api-usage': { input: z.object({ tenantId: TenantIdInput }).strict(), output: ApiUsageSchema },
  'tenants:download-ssh-key': {
    input: z.object({ tenantId: TenantIdInput }).strict(),
    // Only where the file went; the key itself never crosses IPC.
    output: z.object({ saved: z.boolean(), path: z.string().nullable(), downloadedAt: z.string().nullable() }),
  },
  'tenants:revoke-api-key': {
    // confirm must repeat the key id: the renderer's confirmation step, checked again in main.
    input: z.object({ tenantId: TenantIdInput, keyId: z.string().min(1).max(128), confirm: z.string().max(128) }).strict(),
    output: ApiKeyInfoSchema,
  },
} as const;

export const inventoryEvents = {
  'tenants:sync-progress': SyncProgressSchema,
  'tenants:index-changed': IndexStateSchema,
} as const;
