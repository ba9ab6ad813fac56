// View Credentials: re-authenticate (password through a fresh userpass login, 2FA code
// through Vault's TOTP engine), reveal one tenant's SMTP admin credentials for a short
// window, then wipe everything. The revealed username and password are the only
// credential values that ever cross to the renderer, and only in reveal:verify's answer.
import { z } from 'zod';
import { NoInput } from './common';

export const REVEAL_CLOSE_REASONS = ['user', 'timer', 'window-closed', 'quit', 'sign-out', 'lock-screen', 'replaced'] as const;
export type RevealCloseReason = (typeof REVEAL_CLOSE_REASONS)[number];

const TenantId = z.string().regex(/^t-\d{6,}$/, 'a tenant id like t-000042');
const RevealId = z.string().regex(/^rv-[0-9a-f]{32}$/, 'a reveal id');

export const RevealStatusSchema = z.object({
  /** False when reveals cannot work for this session (signed out, token sign-in); reason says why. */
  available: z.boolean(),
  reason: z.string().nullable(),
  username: z.string().nullable(),
  /** Whether this identity has an active 2FA key (enrolment/); null when it could not be checked. */
  enrolled: z.boolean().nullable(),
  /** ISO time until which reveals are locked after repeated failures; null when not locked. */
  lockedUntil: z.string().nullable(),
  /** The reveal window in seconds (15 minutes unless policy shortens it). */
  windowSeconds: z.number().int().positive(),
});
export type RevealStatus = z.infer<typeof RevealStatusSchema>;

export const RevealViewSchema = z.object({
  revealId: z.string(),
  tenantId: z.string(),
  tenantName: z.string(),
  username: z.string(),
  /** The one secret value that crosses to the renderer, for this window only. */
  password: z.string(),
  webmailUrl: z.string().nullable(),
  smtpHost: z.string().nullable(),
  smtpPort: z.number().nullable(),
  createdAt: z.string().nullable(),
  lastRotated: z.string().nullable(),
  nextRotation: z.string().nullable(),
  /** Milliseconds left when this answer was built; the renderer counts down from it. */
  remainingMs: z.number().int().nonnegative(),
  windowSeconds: z.number().int().positive(),
  /** The warning shows when this many milliseconds remain. */
  warnAtMs: z.number().int().nonnegative(),
});
export type RevealView = z.infer<typeof RevealViewSchema>;

const Password = z.string().min(1, 'Enter your password').max(1024);

export const revealChannels = {
  'reveal:status': { input: NoInput, output: RevealStatusSchema },
  /** Re-authenticate and read the tenant's SMTP admin credentials now, with the re-auth token. */
  'reveal:verify': {
    input: z
      .object({
        tenantId: TenantId,
        password: Password,
        code: z.string().regex(/^\d{6}$/, 'a 6-digit code'),
      })
      .strict(),
    output: RevealViewSchema,
  },
  /** Main writes the value to the clipboard from its own buffer (marked secret where possible). */
  'reveal:copy': {
    input: z.object({ revealId: RevealId, field: z.enum(['username', 'password']) }).strict(),
    output: z.object({ copied: z.boolean() }),
  },
  'reveal:close': {
    input: z.object({ revealId: RevealId }).strict(),
    output: z.object({ closed: z.boolean() }),
  },
} as const;

export const revealEvents = {
  /** A reveal closed (timer, sign-out, window closed, ...): the renderer drops the value. */
  'reveal:closed': z.object({ revealId: z.string(), reason: z.enum(REVEAL_CLOSE_REASONS) }),
} as const;
