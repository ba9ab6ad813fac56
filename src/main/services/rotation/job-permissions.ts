// What the signed-in identity may do to each secret a bulk job will touch, asked of Vault
// itself (sys/capabilities-self) for the exact paths, before anything is written: at the
// preview (so the preview says what is not allowed and why, instead of a job that fails
// item after item with PERMISSION_DENIED), and again before a run's first write (the
// policy may have changed since). Vault still refuses anything it does not allow; this
// only makes the refusal come first, whole, and readable.
import { AppError } from '../../../shared/errors';
import type { VaultClient } from '../vault/vault-client';

export type JobAccess = 'rotate' | 'reschedule';

interface Need {
  path: (mount: string, secretPath: string) => string;
  caps: string[];
}

// A rotation reads the secret, writes a new version with check-and-set (update), and
// merges its state into custom_metadata (patch). SMTP in "rotate all" may also PATCH the
// data; without "patch" there it falls back to read + write, so that is not required.
// A reschedule reads the metadata and patches it.
const NEEDS: Record<JobAccess, Need[]> = {
  rotate: [
    { path: (m, p) => `${m}/data/${p}`, caps: ['read', 'update'] },
    { path: (m, p) => `${m}/metadata/${p}`, caps: ['patch'] },
  ],
  reschedule: [{ path: (m, p) => `${m}/metadata/${p}`, caps: ['read', 'patch'] }],
};

export interface PermissionCheck {
  /** False when Vault would not say (no access to sys/capabilities-self): nothing is denied up front. */
  checked: boolean;
  /** Secret path -> why this identity may not do it. */
  denied: Map<string, string>;
  problem: string | null;
}

const BATCH = 500;
const PARALLEL = 4;

function capsOf(res: Record<string, unknown> | null | undefined, path: string, single: boolean): string[] {
  const data = (res?.data ?? {}) as Record<string, unknown>;
  const v = res?.[path] ?? data[path] ?? (single ? (res?.capabilities ?? data.capabilities) : undefined);
  return Array.isArray(v) ? v.map(String) : [];
}

/** Checks every path; batches of 500 per request, a few requests at a time. */
export async function checkJobPermissions(client: VaultClient, mount: string, secretPaths: readonly string[], access: JobAccess = 'rotate'): Promise<PermissionCheck> {
  const needs = NEEDS[access];
  const vaultPaths = [...new Set(secretPaths.flatMap((p) => needs.map((n) => n.path(mount, p))))];
  const granted = new Map<string, string[]>();
  const batches: string[][] = [];
  for (let i = 0; i < vaultPaths.length; i += BATCH) batches.push(vaultPaths.slice(i, i + BATCH));
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: Math.min(PARALLEL, batches.length) }, async () => {
        while (next < batches.length) {
          const batch = batches[next++]!;
          const res = await client.request<Record<string, unknown>>('POST', 'sys/capabilities-self', { paths: batch });
          for (const p of batch) granted.set(p, capsOf(res, p, batch.length === 1));
        }
      }),
    );
  } catch (err) {
    if (err instanceof AppError && err.code === 'PERMISSION_DENIED') {
      return {
        checked: false,
        denied: new Map(),
        problem: 'Vault would not say what this token may do (no access to sys/capabilities-self); any secret it may not rotate fails when the job reaches it.',
      };
    }
    throw err;
  }
  const denied = new Map<string, string>();
  for (const p of secretPaths) {
    for (const need of needs) {
      const vp = need.path(mount, p);
      // Vault answers ["deny"] for an explicit deny and for "nothing granted" alike.
      const have = (granted.get(vp) ?? []).filter((c) => c !== 'deny');
      if (have.includes('root')) continue;
      const missing = need.caps.filter((c) => !have.includes(c));
      if (missing.length > 0) {
        denied.set(p, `Your policies do not grant ${missing.join(' + ')} on ${vp}.`);
        break;
      }
    }
  }
  return { checked: true, denied, problem: null };
}
