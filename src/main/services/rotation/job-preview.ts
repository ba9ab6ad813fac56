// What a bulk job's preview shows and the job it would start: the secrets it will rotate,
// each with the version the preview saw; the API keys it leaves out (rotated one by one:
// the new key must be handed over); what this identity may not rotate, asked of Vault for
// the exact paths (sys/capabilities-self); and warnings. RotationJobs keeps the result
// until the typed confirmation starts it.
import { randomBytes } from 'node:crypto';
import type { BulkSelection, RotationPreview, TenantFilter } from '../../../shared/contracts/rotation';
import { PREVIEW_LIST_MAX } from '../../../shared/contracts/rotation';
import { confirmPhrase, filterDependsOnMetadata, rotatableInBulk } from '../../../shared/rotation/rules';
import { AppError } from '../../../shared/errors';
import type { InventoryRepo } from '../storage/inventory-repo';
import { checkJobPermissions } from './job-permissions';
import { loadSchedules } from './schedules-store';
import { IndexTargetSource, VaultTargetSource, type Target } from './targets';
import type { RotationVaultIo } from './vault-io';

const TYPE_WORDS: Record<string, string> = { all: 'all types', ssh: 'SSH keys', smtp: 'SMTP credentials', dkim: 'DKIM keys', api: 'API keys' };

function filterLabel(f: TenantFilter): string {
  const parts = [f.query.trim() !== '' ? `"${f.query.trim().slice(0, 60)}"` : 'every tenant', TYPE_WORDS[f.type] ?? f.type];
  if (f.status) parts.push(f.status);
  if (f.due) parts.push(f.due === 'overdue' ? 'overdue' : `due in ${f.due === '7d' ? '7' : '30'} days`);
  return `Rotate what the tenant filter shows (${parts.join(', ')})`;
}

export function labelOf(selection: BulkSelection): string {
  switch (selection.mode) {
    case 'all':
      return `Rotate all ${selection.type === 'ssh' ? 'SSH keys' : 'SMTP credentials'}`;
    case 'overdue':
      return `Rotate overdue secrets${selection.types ? ` (${selection.types.join(', ')})` : ''}`;
    case 'filter':
      return filterLabel(selection.filter);
    case 'changed':
      return `Rotate what changed since the preview of ${selection.jobId}`;
  }
}

export interface PreviewContext {
  io: RotationVaultIo;
  mount: string;
  nowMs: number;
  index?: { repo: InventoryRepo; usable(mount: string): boolean } | undefined;
  ttlMs: number;
}

export interface PlannedPreview {
  preview: RotationPreview;
  /** The job's kind: "overdue" when the selection depends on metadata (re-checked per secret). */
  kind: 'all' | 'overdue';
  /** What the job will rotate (allowed, not API keys). */
  targets: Target[];
}

/** jobPaths: for "changed", the paths the job reported (read again from Vault here). */
export async function planPreview(ctx: PreviewContext, selection: BulkSelection, jobPaths: string[] | null): Promise<PlannedPreview> {
  const { io, mount, nowMs } = ctx;
  let found: Target[];
  let source: 'index' | 'vault';
  if (selection.mode === 'changed') {
    // Previewed again from Vault: the versions the admin looks at now.
    found = await new VaultTargetSource(io).paths(jobPaths ?? []);
    source = 'vault';
  } else if (selection.mode === 'filter' || (selection.mode === 'overdue' && ctx.index?.usable(mount) === true)) {
    if (ctx.index?.usable(mount) !== true) throw new AppError('NOT_FOUND', 'The tenant list has not been synced from this Vault yet: sync it, then rotate what the filter shows.');
    found = await new IndexTargetSource(ctx.index.repo).select(selection, nowMs);
    source = 'index';
  } else {
    found = await new VaultTargetSource(io).select(selection, nowMs);
    source = 'vault';
  }

  const apiKeys = found.filter((t) => !rotatableInBulk(t.type));
  const rotatable = found.filter((t) => rotatableInBulk(t.type));
  // Exactly the paths the job will touch, asked of Vault before anything is written.
  const perms = await checkJobPermissions(io.client, mount, rotatable.map((t) => t.path));
  const targets = rotatable.filter((t) => !perms.denied.has(t.path));
  const denied = rotatable.filter((t) => perms.denied.has(t.path));
  const warnings: string[] = [];
  if (perms.problem) warnings.push(perms.problem);
  if (targets.length > 0) {
    const s = await loadSchedules(io);
    if (s.source === 'unreadable') warnings.push(`The cluster's rotation schedules cannot be read (${s.problem ?? 'permission denied'}): new due dates will use the default periods.`);
  }
  if (source === 'index') warnings.push('Chosen from the local index: a secret whose version in Vault differs from the index is reported as changed, not rotated.');

  const byType = { ssh: 0, smtp: 0, dkim: 0, api: 0 };
  for (const t of targets) byType[t.type]++;
  const kind = selection.mode === 'overdue' || (selection.mode === 'filter' && filterDependsOnMetadata(selection.filter)) ? 'overdue' : 'all';
  const preview: RotationPreview = {
    previewId: `pv-${randomBytes(8).toString('hex')}`,
    selection,
    label: labelOf(selection),
    total: targets.length,
    byType,
    tenants: new Set(targets.map((t) => t.tenantId)).size,
    source,
    confirmPhrase: confirmPhrase(targets.length),
    sample: targets.slice(0, 20).map((t) => t.path),
    expiresAt: new Date(nowMs + ctx.ttlMs).toISOString(),
    apiKeys: { total: apiKeys.length, items: apiKeys.slice(0, PREVIEW_LIST_MAX).map((t) => ({ tenantId: t.tenantId, path: t.path })) },
    notAllowed: {
      total: denied.length,
      items: denied.slice(0, PREVIEW_LIST_MAX).map((t) => ({ tenantId: t.tenantId, path: t.path, reason: perms.denied.get(t.path)! })),
    },
    warnings,
  };
  return { preview, kind, targets };
}
