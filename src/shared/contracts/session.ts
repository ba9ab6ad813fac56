import { z } from 'zod';
import { ACTION_IDS, type ActionId } from '../capabilities';
import { NoInput } from './common';

const PermissionSchema = z.object({ allowed: z.boolean(), reason: z.string().nullable() });
export const CapabilitiesSchema = z.object(
  Object.fromEntries(ACTION_IDS.map((id) => [id, PermissionSchema])) as Record<ActionId, typeof PermissionSchema>,
);

export const SessionInfoSchema = z.object({
  signedIn: z.boolean(),
  profileId: z.string(),
  address: z.string(),
  method: z.enum(['userpass', 'token']).nullable(),
  displayName: z.string(),
  username: z.string().nullable(),
  entityId: z.string().nullable(),
  policies: z.array(z.string()),
  expiresAt: z.string().nullable(),
  renewable: z.boolean(),
  expiringSoon: z.boolean(),
  problem: z.string().nullable(),
});
export type SessionInfoView = z.infer<typeof SessionInfoSchema>;

export const sessionChannels = {
  'session:info': { input: NoInput, output: SessionInfoSchema },
  /** Resume from the keychain (app start, profile switch). */
  'session:resume': { input: NoInput, output: SessionInfoSchema },
  'session:login-userpass': {
    input: z.object({ username: z.string().min(1).max(128), password: z.string().min(1).max(1024) }).strict(),
    output: SessionInfoSchema,
  },
  'session:login-token': {
    input: z.object({ token: z.string().min(1).max(1024) }).strict(),
    output: SessionInfoSchema,
  },
  'session:logout': { input: NoInput, output: SessionInfoSchema },
  /** Per console action: allowed, or the reason it is not. */
  'session:capabilities': { input: NoInput, output: CapabilitiesSchema },
} as const;

export const sessionEvents = {
  'session:changed': SessionInfoSchema,
} as const;
