import { z } from 'zod';
import { NoInput } from './common';

export const VaultStatusSchema = z.object({
  address: z.string(),
  reachable: z.boolean(),
  initialized: z.boolean(),
  sealed: z.boolean(),
  standby: z.boolean(),
  version: z.string(),
  clusterName: z.string(),
  clusterId: z.string(),
  /** Unseal progress, shown during break-glass. */
  unseal: z.object({ threshold: z.number().int(), shares: z.number().int(), progress: z.number().int() }),
  checkedAt: z.string(),
  /** Present when reachable is false: why. */
  error: z.string().optional(),
});
export type VaultStatus = z.infer<typeof VaultStatusSchema>;

export const vaultChannels = {
  'vault:status': { input: NoInput, output: VaultStatusSchema },
  // Break-glass. The key share goes to Vault and nowhere else: never stored, logged or echoed.
  'vault:unseal': {
    input: z.object({ key: z.string().min(1).max(256) }).strict(),
    output: VaultStatusSchema,
  },
  'vault:unseal-reset': { input: NoInput, output: VaultStatusSchema },
  /**
   * Seal during an incident; `confirm` must be the cluster name, typed by the user. With an
   * incident ID the seal is announced in Vault first, so the ops-host watcher knows it is
   * the console's own break-glass action.
   */
  'vault:seal': {
    input: z.object({ confirm: z.string().min(1).max(256), incidentId: z.string().max(64).optional() }).strict(),
    output: VaultStatusSchema,
  },
} as const;

export const vaultEvents = {
  'vault:status-changed': VaultStatusSchema,
} as const;
