// What each console action needs from Vault, as (path, capabilities) pairs. The
// UI disables an action the signed-in identity may not take, with the reason,
// instead of letting a click fail later. Paths use a probe tenant/key because
// sys/capabilities-self takes concrete paths; policies with + or * match them.

export type Capability = 'create' | 'read' | 'update' | 'patch' | 'delete' | 'list' | 'sudo';

export interface Need {
  path: (kvMount: string) => string;
  /** Every capability listed is required. */
  caps: Capability[];
}

const PROBE = '__probe_tenant__';

export const ACTIONS = {
  'tenants.list': { label: 'List tenants', needs: [{ path: (m) => `${m}/metadata/`, caps: ['list'] }] },
  'tenants.read-metadata': { label: 'Read secret status', needs: [{ path: (m) => `${m}/metadata/${PROBE}/smtp/admin`, caps: ['read'] }] },
  'secrets.read': { label: 'Reveal or download secrets', needs: [{ path: (m) => `${m}/data/${PROBE}/smtp/admin`, caps: ['read'] }] },
  'secrets.rotate': {
    label: 'Rotate secrets',
    needs: [
      { path: (m) => `${m}/data/${PROBE}/smtp/admin`, caps: ['read', 'update'] },
      { path: (m) => `${m}/metadata/${PROBE}/smtp/admin`, caps: ['update'] },
    ],
  },
  'apikeys.revoke': { label: 'Revoke API keys', needs: [{ path: (m) => `${m}/metadata/${PROBE}/api/ak_probe`, caps: ['update'] }] },
  'secrets.delete': { label: 'Delete secrets', needs: [{ path: (m) => `${m}/metadata/${PROBE}/smtp/admin`, caps: ['delete'] }] },
  'vault.seal': { label: 'Seal Vault', needs: [{ path: () => 'sys/seal', caps: ['update', 'sudo'] }] },
  'vault.metrics': { label: 'Read metrics', needs: [{ path: () => 'sys/metrics', caps: ['read'] }] },
  'vault.audit-devices': { label: 'List audit devices', needs: [{ path: () => 'sys/audit', caps: ['read', 'sudo'] }] },
  'backup.snapshot': { label: 'Take snapshots', needs: [{ path: () => 'sys/storage/raft/snapshot', caps: ['read'] }] },
  'backup.restore': { label: 'Restore snapshots', needs: [{ path: () => 'sys/storage/raft/snapshot', caps: ['update'] }] },
  // Where backups go: main checks the configured key's exact path again before saving.
  'backup.configure': { label: 'Configure backups', needs: [{ path: () => 'transit/encrypt/vault-console-backup', caps: ['update'] }] },
} satisfies Record<string, { label: string; needs: Need[] }>;

export type ActionId = keyof typeof ACTIONS;
export const ACTION_IDS = Object.keys(ACTIONS) as ActionId[];

export interface ActionPermission {
  allowed: boolean;
  /** Why not, in one sentence the UI shows next to the disabled control. */
  reason: string | null;
}

/** Every distinct path the actions need, for one capabilities-self call. */
export function capabilityPaths(kvMount: string): string[] {
  return [...new Set(ACTION_IDS.flatMap((id) => ACTIONS[id].needs.map((n) => n.path(kvMount))))];
}

/** Decide each action from the capabilities Vault reported per path. */
export function decide(kvMount: string, granted: Record<string, readonly string[]>, policies: readonly string[]): Record<ActionId, ActionPermission> {
  const who = policies.length ? policies.filter((p) => p !== 'default').join(', ') || 'default' : 'none';
  const out = {} as Record<ActionId, ActionPermission>;
  for (const id of ACTION_IDS) {
    let reason: string | null = null;
    for (const need of ACTIONS[id].needs) {
      const path = need.path(kvMount);
      // Vault answers ["deny"] both for an explicit deny and for "nothing granted".
      const have = (granted[path] ?? []).filter((c) => c !== 'deny');
      if (have.includes('root')) continue;
      const missing = need.caps.filter((c) => !have.includes(c));
      if (missing.length) {
        reason = `Your policies (${who}) do not grant ${missing.join(' + ')} on ${path.replace(PROBE, '<tenant>')}.`;
        break;
      }
    }
    out[id] = { allowed: reason === null, reason };
  }
  return out;
}

/** Signed out: every action is unavailable for the same reason. */
export function allDenied(reason: string): Record<ActionId, ActionPermission> {
  return Object.fromEntries(ACTION_IDS.map((id) => [id, { allowed: false, reason }])) as Record<ActionId, ActionPermission>;
}
