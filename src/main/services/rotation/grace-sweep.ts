// Grace retirement without anyone clicking: after grace_until, the previous SSH public
// key / DKIM selector is marked retired (Rotator.retireIfDue: check-and-set, so two
// consoles sweeping at once never write twice, and a sweep is idempotent).
// Candidates come from the inventory's local index when it covers this mount (a query
// over its metadata, no Vault request), otherwise from Vault: one detailed-metadata LIST
// per tenant folder (plain LIST + metadata reads where that is not offered). Either
// way each candidate is re-checked in Vault before anything is written.
import { targetOfPath, type ParsedTarget } from '../../../shared/rotation/rules';
import type { RotationVaultIo } from './vault-io';

export interface GraceCandidate {
  path: string;
  graceUntil: string;
}

export interface GraceCandidateSource {
  readonly name: 'index' | 'vault';
  /** Secrets whose grace ended at or before nowMs (may include some already retired). */
  due(nowMs: number): Promise<GraceCandidate[]>;
}

/**
 * Consulted before each retirement. A reason holds it back: the secret stays in grace and
 * the next sweep asks again. DKIM: the switch-over waits for DNS (dkim-dns/).
 */
export interface RetirementPolicy {
  holdReason(target: ParsedTarget, nowMs: number): Promise<string | null>;
}

export interface SweepResult {
  source: 'index' | 'vault';
  candidates: number;
  retired: string[];
  /** Held back by the retirement policy (e.g. DKIM waiting for DNS), with why. */
  held: Array<{ path: string; reason: string }>;
  /** Changed in between (rotated again, retired by another console): nothing written. */
  unchanged: number;
  failed: Array<{ path: string; code: string }>;
}

function dueAt(md: Record<string, string> | null | undefined, nowMs: number): string | null {
  if (!md || md.previous_status === 'retired') return null;
  const until = Date.parse(md.grace_until ?? '');
  return !Number.isNaN(until) && until <= nowMs ? md.grace_until! : null;
}

/** The index's view (see RotationRepo.graceDue): fast, as fresh as the last sync. */
export class IndexGraceSource implements GraceCandidateSource {
  readonly name = 'index' as const;
  constructor(private readonly query: (nowIso: string) => GraceCandidate[]) {}
  async due(nowMs: number): Promise<GraceCandidate[]> {
    return this.query(new Date(nowMs).toISOString());
  }
}

/** Vault's view: every tenant's ssh/ and dkim/ folders. */
export class VaultGraceSource implements GraceCandidateSource {
  readonly name = 'vault' as const;
  constructor(
    private readonly io: RotationVaultIo,
    private readonly concurrency = 8,
  ) {}

  async due(nowMs: number): Promise<GraceCandidate[]> {
    const tenants = (await this.io.list('')).filter((k) => k.endsWith('/') && !k.startsWith('_')).map((k) => k.slice(0, -1));
    const out: GraceCandidate[] = [];
    let next = 0;
    const worker = async () => {
      while (next < tenants.length) {
        const t = tenants[next++]!;
        for (const folder of ['ssh', 'dkim']) {
          const detailed = await this.io.listDetailed(`${t}/${folder}`);
          if (detailed) {
            for (const leaf of detailed) {
              const at = dueAt(leaf.customMetadata, nowMs);
              if (at && !leaf.key.endsWith('/')) out.push({ path: `${t}/${folder}/${leaf.key}`, graceUntil: at });
            }
            continue;
          }
          for (const key of await this.io.list(`${t}/${folder}`)) {
            if (key.endsWith('/')) continue;
            const md = await this.io.metadata(`${t}/${folder}/${key}`);
            const at = dueAt(md?.customMetadata, nowMs);
            if (at) out.push({ path: `${t}/${folder}/${key}`, graceUntil: at });
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(this.concurrency, tenants.length)) }, worker));
    return out.sort((a, b) => (a.path < b.path ? -1 : 1));
  }
}

/** One sweep: retire every due candidate (each re-checked in Vault by retire). */
export async function sweepGrace(
  source: GraceCandidateSource,
  nowMs: number,
  retire: (target: ParsedTarget) => Promise<boolean>,
  policy?: RetirementPolicy,
): Promise<SweepResult> {
  const candidates = await source.due(nowMs);
  const result: SweepResult = { source: source.name, candidates: candidates.length, retired: [], held: [], unchanged: 0, failed: [] };
  for (const c of candidates) {
    const target = targetOfPath(c.path);
    if (!target || (target.type !== 'ssh' && target.type !== 'dkim')) continue;
    try {
      const hold = policy ? await policy.holdReason(target, nowMs) : null;
      if (hold) {
        result.held.push({ path: c.path, reason: hold });
        continue;
      }
      if (await retire(target)) result.retired.push(c.path);
      else result.unchanged++;
    } catch (err) {
      const code = err instanceof Error && 'code' in err ? String((err as { code: unknown }).code) : 'INTERNAL';
      // Someone changed it in between: the next sweep looks again.
      if (code === 'CONFLICT' || code === 'NOT_FOUND') result.unchanged++;
      else result.failed.push({ path: c.path, code });
      // Vault went away: stop here, the next sweep carries on.
      if (code === 'VAULT_SEALED' || code === 'VAULT_UNREACHABLE' || code === 'UNAUTHENTICATED') break;
    }
  }
  return result;
}
