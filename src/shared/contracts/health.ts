// The health dashboard: one snapshot with every card (so one refresh is one call),
// and the metrics series main samples in the background. Tones are decided in main
// (src/main/services/health/health-rules.ts) so the CLI and the UI agree.
import { z } from 'zod';
import { NoInput } from './common';
import { VaultStatusSchema } from './vault';

export const ToneSchema = z.enum(['green', 'amber', 'red', 'neutral']);
export type HealthTone = z.infer<typeof ToneSchema>;

/** A card whose data needs a token or a permission it may not have. */
const CardBase = {
  tone: ToneSchema,
  label: z.string(),
  detail: z.string().nullable(),
  /** Set when the card could not be filled: "sign in for more", "permission denied ...". */
  unavailable: z.string().nullable(),
};

export const HaNodeSchema = z.object({
  hostname: z.string(),
  apiAddress: z.string(),
  clusterAddress: z.string(),
  active: z.boolean(),
  lastEcho: z.string().nullable(),
  version: z.string(),
});
export type HaNode = z.infer<typeof HaNodeSchema>;

export const NodeCardSchema = z.object({
  ...CardBase,
  haEnabled: z.boolean(),
  /** The active node's API address, from sys/leader. */
  leaderAddress: z.string(),
  /** True when the node the console talks to is the active one. */
  isSelf: z.boolean(),
  /** Every HA node from sys/ha-status (needs a token). */
  nodes: z.array(HaNodeSchema),
});

export const StorageCardSchema = z.object({
  ...CardBase,
  /** raft, postgresql, file, ... from sys/seal-status. */
  type: z.string(),
  /** How health was judged: raft autopilot, or a canary write-and-read round trip. */
  method: z.enum(['autopilot', 'canary', 'none']),
  canaryLatencyMs: z.number().nullable(),
  autopilot: z
    .object({ healthy: z.boolean(), failureTolerance: z.number(), voters: z.number(), servers: z.number() })
    .nullable(),
});

export const BackupCardsSchema = z.object({
  lastBackup: z.object({ ...CardBase, at: z.string().nullable(), ageHours: z.number().nullable() }),
  health: z.object({
    ...CardBase,
    lastAttemptFailed: z.boolean().nullable(),
    versioning: z.boolean().nullable(),
  }),
});

export const AuditCardSchema = z.object({
  ...CardBase,
  devices: z.array(z.object({ path: z.string(), type: z.string(), description: z.string() })),
});

export const HealthSnapshotSchema = z.object({
  /** Seal status, version, cluster: the unauthenticated part, also vault:status. */
  status: VaultStatusSchema,
  signedIn: z.boolean(),
  node: NodeCardSchema,
  storage: StorageCardSchema,
  backup: BackupCardsSchema,
  audit: AuditCardSchema,
  /** The worst tone among the cards that carry a traffic light. */
  overall: ToneSchema,
  /** How long the whole refresh took in main, milliseconds. */
  tookMs: z.number(),
});
export type HealthSnapshot = z.infer<typeof HealthSnapshotSchema>;

export const MetricsSampleSchema = z.object({
  at: z.string(),
  /** Requests per second since the previous sample; null for the first one or after a gap. */
  requestRate: z.number().nullable(),
  /** Mean request latency over the interval, ms (sum/count deltas of vault_core_handle_request). */
  latencyMeanMs: z.number().nullable(),
  /** Median and 99th percentile of the server's own summary window, ms. */
  latencyP50Ms: z.number().nullable(),
  latencyP99Ms: z.number().nullable(),
});
export type MetricsSample = z.infer<typeof MetricsSampleSchema>;

export const MetricsSeriesSchema = z.object({
  samples: z.array(MetricsSampleSchema),
  intervalMs: z.number(),
  windowMs: z.number(),
  /** Why the latest sample could not be taken (signed out, permission, unreachable). */
  problem: z.string().nullable(),
});
export type MetricsSeries = z.infer<typeof MetricsSeriesSchema>;

export const healthChannels = {
  'health:snapshot': { input: NoInput, output: HealthSnapshotSchema },
  'health:metrics': { input: NoInput, output: MetricsSeriesSchema },
} as const;

export const healthEvents = {} as const;
