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
} as const;

export const vaultEvents = {
  'vault:status-changed': VaultStatusSchema,
} as const;
