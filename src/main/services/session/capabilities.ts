// What the signed-in identity may do, from one sys/capabilities-self call,
// cached until the session changes.
import { allDenied, capabilityPaths, decide, type ActionId, type ActionPermission } from '../../../shared/capabilities';
import type { Session } from './session-types';

export class CapabilitiesService {
  private cache: { key: string; value: Record<ActionId, ActionPermission> } | null = null;

  constructor(
    private readonly session: Session,
    private readonly kvMount: () => string,
  ) {
    session.onChange(() => {
      this.cache = null;
    });
  }

  async current(): Promise<Record<ActionId, ActionPermission>> {
    const info = this.session.info();
    if (!info.signedIn) return allDenied('Sign in to Vault first.');
    const mount = this.kvMount();
    const key = `${info.profileId}|${info.entityId}|${info.policies.join(',')}|${info.expiresAt}|${mount}`;
    if (this.cache?.key === key) return this.cache.value;
    const paths = capabilityPaths(mount);
    const res = await this.session.requireClient().request<Record<string, unknown>>('POST', 'sys/capabilities-self', { paths });
    const granted: Record<string, string[]> = {};
    for (const p of paths) {
      const v = res[p] ?? (res.data as Record<string, unknown> | undefined)?.[p];
      granted[p] = Array.isArray(v) ? v.map(String) : [];
    }
    const value = decide(mount, granted, info.policies);
    this.cache = { key, value };
    return value;
  }
}
