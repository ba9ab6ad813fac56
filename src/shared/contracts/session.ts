import { z } from 'zod';
import type { GateCheck } from '../capabilities';
import { NoInput } from './common';

const Id = z.string().min(1).max(128);
const Path = z.string().min(1).max(512);

/** One action with the parameters its exact Vault paths are built from (shared/capabilities.ts). */
export const GateCheckSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('vault.seal') }).strict(),
  z.object({ action: z.literal('tenants.sync') }).strict(),
  z.object({ action: z.literal('secrets.history'), tenantId: Id, path: Path }).strict(),
  z.object({ action: z.literal('secrets.rotate'), tenantId: Id, target: z.string().min(1).max(300) }).strict(),
  z.object({ action: z.literal('secrets.emergency-reset'), tenantId: Id, which: z.enum(['smtp', 'ssh']) }).strict(),
  z.object({ action: z.literal('secrets.reveal'), tenantId: Id }).strict(),
  z.object({ action: z.literal('ssh.download'), tenantId: Id }).strict(),
  z.object({ action: z.literal('dkim.dns'), tenantId: Id, domain: z.string().min(1).max(253) }).strict(),
  z.object({ action: z.literal('dkim.check'), tenantId: Id, domains: z.array(z.string().min(1).max(253)).max(100) }).strict(),
  z.object({ action: z.literal('dkim.retire'), tenantId: Id, domain: z.string().min(1).max(253) }).strict(),
  z.object({ action: z.literal('apikeys.revoke'), tenantId: Id, keyId: z.string().min(1).max(64) }).strict(),
  z.object({ action: z.literal('schedules.save'), exists: z.boolean() }).strict(),
  z.object({ action: z.literal('approvals.request') }).strict(),
  z.object({ action: z.literal('approvals.approve'), id: Id }).strict(),
  z.object({ action: z.literal('approvals.delete'), id: Id, path: Path }).strict(),
  z.object({ action: z.literal('backup.run'), kind: z.enum(['auto', 'raft', 'logical']) }).strict(),
  z.object({ action: z.literal('backup.restore'), scope: z.enum(['raft', 'mount', 'tenant']), tenantId: z.string().max(128).optional() }).strict(),
  z.object({ action: z.literal('enrolment.grant') }).strict(),
  z.object({ action: z.literal('audit.devices') }).strict(),
]);
// The schema and the shared type must describe the same checks.
type SameCheck<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const sameCheck: SameCheck<z.output<typeof GateCheckSchema>, GateCheck> = true;
void sameCheck;

export const PermissionSchema = z.object({
  allowed: z.boolean(),
  /** Why not, naming the exact path and capability; null when allowed. */
  reason: z.string().nullable(),
  missing: z.object({ path: z.string(), caps: z.array(z.string()) }).nullable(),
});

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
  /** Per action (with the parameters that name its exact paths): allowed, or the reason it is not. */
  'session:can': {
    input: z.object({ checks: z.array(GateCheckSchema).min(1).max(200) }).strict(),
    output: z.object({ results: z.array(PermissionSchema) }),
  },
} as const;

export const sessionEvents = {
  'session:changed': SessionInfoSchema,
} as const;
