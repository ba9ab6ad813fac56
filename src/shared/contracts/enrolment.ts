// Second-factor enrolment (docs/enrolment.md): another admin grants it, Vault keeps the
// grant (single-use, expiring), the new authenticator proves itself with a valid code
// before the factor becomes active. The otpauth URL (the TOTP seed) crosses to the
// renderer once, in enrolment:begin's answer, to be scanned.
import { z } from 'zod';
import { GRANT_MINUTES } from '../enrolment-rules';
import { NoInput } from './common';

const GrantId = z.string().regex(/^g[0-9a-f]{12}$/, 'an enrolment grant id');
const EntityId = z.string().min(36).max(80);

export { GRANT_MINUTES } from '../enrolment-rules';

export const EnrolmentGrantViewSchema = z.object({
  grantId: z.string(),
  granterEntityId: z.string(),
  /** The granting admin's username as Vault's identity store knows it (not what the grant says). */
  grantedBy: z.string(),
  /** False when Vault could not confirm the granting identity's name (grantedBy is then the grant's own word). */
  grantedByVerified: z.boolean(),
  createdAt: z.string(),
  expiresAt: z.string(),
  /** ready: can be opened once; opened: its key was handed out (by you, or someone else); expired; active: the key in use. */
  state: z.enum(['ready', 'opened', 'expired', 'active']),
});
export type EnrolmentGrantView = z.infer<typeof EnrolmentGrantViewSchema>;

export const EnrolmentStatusSchema = z.object({
  /** False when this session cannot enrol at all (signed out, no Vault identity); reason says why. */
  available: z.boolean(),
  reason: z.string().nullable(),
  username: z.string().nullable(),
  entityId: z.string().nullable(),
  active: z.object({ grantId: z.string(), grantedBy: z.string(), activatedAt: z.string() }).nullable(),
  grants: z.array(EnrolmentGrantViewSchema),
});
export type EnrolmentStatus = z.infer<typeof EnrolmentStatusSchema>;

export const EnrolmentStartSchema = z.object({
  grantId: z.string(),
  grantedBy: z.string(),
  issuer: z.string(),
  account: z.string(),
  /** otpauth:// URL (holds the TOTP seed): shown once, to be scanned, never again. */
  otpauthUrl: z.string(),
  /** The QR code of otpauthUrl, as Vault's TOTP engine renders it (base64 PNG). */
  qrPngBase64: z.string(),
});
export type EnrolmentStart = z.infer<typeof EnrolmentStartSchema>;

export const enrolmentChannels = {
  'enrolment:status': { input: NoInput, output: EnrolmentStatusSchema },
  /** Another admin's grant: creates their 2FA key in Vault, response-wrapped, and records the grant. */
  'enrolment:grant': {
    input: z
      .object({
        username: z.string().min(1).max(128),
        validMinutes: z.number().int().min(GRANT_MINUTES.min).max(GRANT_MINUTES.max).default(GRANT_MINUTES.default),
      })
      .strict(),
    output: z.object({ grantId: z.string(), username: z.string(), expiresAt: z.string() }),
  },
  /** Opens a grant made for you (single use): the new key's QR code, to scan now. */
  'enrolment:begin': { input: z.object({ granterEntityId: EntityId }).strict(), output: EnrolmentStartSchema },
  /** A code from the new authenticator, checked by Vault; only then is the new key active. */
  'enrolment:confirm': {
    input: z.object({ grantId: GrantId, code: z.string().regex(/^\d{6}$/, 'a 6-digit code') }).strict(),
    output: EnrolmentStatusSchema,
  },
} as const;

export const enrolmentEvents = {} as const;
