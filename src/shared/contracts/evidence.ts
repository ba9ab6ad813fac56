// Tamper-evident evidence packs (issue 15): any audit query exported as hash-chained
// NDJSON with a signed manifest, the install's public key for auditors, and offline
// verification that names the first broken record. Format: docs/evidence-packs.md.
import { z } from 'zod';
import { AuditFilterSchema } from './audit';
import { NoInput } from './common';

// eslint-disable-next-line no-control-regex
const LocalPath = z.string().trim().min(1).max(4096).refine((p) => !/[\u0000-\u001f]/.test(p), 'A path has no control characters.');

export const PackResultSchema = z.object({
  dir: z.string(),
  records: z.number().int(),
  bytes: z.number().int(),
  chainHead: z.string(),
  fingerprint: z.string(),
  manifestSha256: z.string(),
  /** The audit source the events were read from ("local store", "VictoriaLogs at …"). */
  source: z.string(),
});
export type PackResultView = z.infer<typeof PackResultSchema>;

export const VERIFY_PROBLEM_KINDS = ['unreadable', 'manifest', 'signature', 'other-signer', 'file', 'malformed', 'changed', 'missing', 'out-of-order', 'chain', 'truncated', 'extra', 'head'] as const;

export const VerifyProblemSchema = z.object({
  kind: z.enum(VERIFY_PROBLEM_KINDS),
  record: z.number().int().nullable(),
  line: z.number().int().nullable(),
  message: z.string(),
});

export const VerifyResultSchema = z.object({
  ok: z.boolean(),
  /** The signature was checked against a public key given by the verifier, not only the pack's own. */
  signerChecked: z.boolean(),
  fingerprint: z.string().nullable(),
  kind: z.string().nullable(),
  records: z.number().int(),
  bytes: z.number().int(),
  problem: VerifyProblemSchema.nullable(),
  problems: z.array(VerifyProblemSchema),
  seconds: z.number(),
});
export type VerifyResultView = z.infer<typeof VerifyResultSchema>;

export const evidenceChannels = {
  'evidence:export': {
    input: z.object({ filter: AuditFilterSchema, name: z.string().trim().max(101).optional() }).strict(),
    output: PackResultSchema,
  },
  'evidence:public-key': { input: NoInput, output: z.object({ pem: z.string(), fingerprint: z.string() }) },
  'evidence:export-public-key': { input: NoInput, output: z.object({ path: z.string(), fingerprint: z.string() }) },
  /** Offline verification: the pack folder and, to check who signed it, the signer's public key file (PEM). */
  'evidence:verify': {
    input: z.object({ pack: LocalPath, publicKey: LocalPath.optional() }).strict(),
    output: VerifyResultSchema,
  },
} as const;

export const evidenceEvents = {} as const;
