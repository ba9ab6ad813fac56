// SOC 2 secret-access reports (issue 15): one period's report as self-contained HTML
// (inline SVG charts), PDF and JSON with the same numbers, all three in a signed evidence
// pack; the same inputs give byte-identical output. Definitions: docs/compliance-reports.md.
import { z } from 'zod';
import { PackResultSchema } from './evidence';

const n = z.number().int();
const share = z.number().nullable();

export const Soc2ReportSchema = z.object({
  format: z.literal('vault-console-soc2-secret-access'),
  version: z.literal(1),
  period: z.object({ from: z.string(), to: z.string() }),
  vault: z.object({ address: z.string(), mount: z.string() }),
  secretAccess: z.object({
    totals: z.object({ reads: n, reveals: n, downloads: n, identities: n, secrets: n, tenants: n }),
    byIdentity: z.array(z.object({ identity: z.string(), reads: n, reveals: n, downloads: n, secrets: n, tenants: n })),
    revealsAndDownloads: z.object({
      total: n,
      rows: z.array(
        z.object({
          identity: z.string(),
          path: z.string(),
          tenantId: z.string(),
          type: z.string(),
          action: z.enum(['reveal', 'download']),
          count: n,
          first: z.string(),
          last: z.string(),
          incidents: z.array(z.string()),
          why: z.string(),
        }),
      ),
    }),
  }),
  rotation: z.object({
    asOf: z.string(),
    byType: z.array(
      z.object({
        type: z.enum(['ssh', 'smtp', 'dkim', 'api']),
        secrets: n,
        withinSchedule: n,
        overdue: n,
        shareWithinSchedule: share,
        periodDays: n,
        ageBuckets: z.array(z.object({ label: z.string(), count: n })),
      }),
    ),
    total: z.object({ secrets: n, withinSchedule: n, overdue: n, shareWithinSchedule: share }),
    overdueTotal: n,
    overdue: z.array(z.object({ path: z.string(), type: z.string(), lastRotated: z.string(), dueSince: z.string() })),
  }),
  emergencyResets: z.object({
    total: n,
    consoleRecords: n,
    byIncident: z.array(z.object({ incidentId: z.string(), resets: n })),
    rows: z.array(z.object({ at: z.string(), path: z.string(), by: z.string(), incidentId: z.string().nullable() })),
  }),
  deletions: z.object({
    total: n,
    withApproval: n,
    withoutApproval: n,
    rows: z.array(
      z.object({
        at: z.string(),
        path: z.string(),
        deletedBy: z.string(),
        /** The approval that covers it in Vault's record (audit log of the approvals mount); null: none does. */
        approvalId: z.string().nullable(),
        /** The approval id the console header named (an annotation: it approves nothing). */
        headerApprovalId: z.string().nullable(),
        /** Who wrote the request and the approval, as Vault's log shows them. */
        requestedBy: z.string().nullable(),
        approvedBy: z.string().nullable(),
        /** Why no approval covers it (null when one does). */
        notApproved: z.string().nullable(),
      }),
    ),
  }),
  backups: z.object({
    attempts: n,
    succeeded: n,
    failed: n,
    successRate: share,
    largestGapHours: z.number().nullable(),
    largestGapFrom: z.string().nullable(),
    largestGapTo: z.string().nullable(),
    drills: z.array(z.object({ backupId: z.string(), verifiedAt: z.string(), result: z.literal('verified') })),
  }),
  adminIdentities: z.object({
    checked: z.boolean(),
    complete: z.boolean(),
    notes: z.array(z.string()),
    policies: z.array(z.object({ name: z.string(), why: z.string() })),
    identities: z.array(z.object({ kind: z.enum(['userpass', 'entity', 'group']), name: z.string(), policies: z.array(z.string()) })),
  }),
  failedLogins: z.object({
    total: n,
    users: n,
    addresses: n,
    topUsers: z.array(z.object({ value: z.string(), count: n })),
    topAddresses: z.array(z.object({ value: z.string(), count: n })),
  }),
  alerts: z.object({
    total: n,
    red: n,
    yellow: n,
    partialSince: z.string().nullable(),
    rows: z.array(z.object({ kind: z.string(), severity: z.enum(['red', 'yellow']), title: z.string(), subject: z.string(), from: z.string(), to: z.string(), events: n })),
  }),
});
export type Soc2Report = z.infer<typeof Soc2ReportSchema>;

const Day = z.string().trim().regex(/^\d{4}-\d{2}-\d{2}$/, 'A date is YYYY-MM-DD (UTC).');

export const Soc2InputSchema = z
  .object({
    /** First day of the period (UTC, inclusive). */
    from: Day,
    /** Last day of the period (UTC, inclusive); it must have ended. */
    to: Day,
    /** Pack folder name in the exports folder; default soc2-<from>-<to>. */
    name: z.string().trim().max(101).optional(),
  })
  .strict();

export const Soc2ResultSchema = z.object({
  pack: PackResultSchema,
  files: z.array(z.object({ name: z.string(), sha256: z.string(), bytes: n })),
  /** Why the PDF is missing, when it is (no PDF printer in this shell). */
  pdfNote: z.string().nullable(),
  summary: z.object({
    period: z.object({ from: z.string(), to: z.string() }),
    identities: n,
    reveals: n,
    downloads: n,
    rotationShareWithinSchedule: share,
    emergencyResets: n,
    deletions: n,
    backupSuccessRate: share,
    alerts: n,
  }),
});
export type Soc2Result = z.infer<typeof Soc2ResultSchema>;

export const complianceChannels = {
  'compliance:secret-access-report': { input: Soc2InputSchema, output: Soc2ResultSchema },
} as const;

export const complianceEvents = {} as const;
