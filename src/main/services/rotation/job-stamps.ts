// Tenant change stamps for a bulk job run (docs/vault-layout.md: "secrets first, then the
// tenant's change stamp"). A tenant is stamped once per run, as soon as the run has no
// item of it left (items are ordered by path, so a tenant's items finish together), in
// small background batches that overlap the rotations still going, instead of one
// serial tail after the last rotation. What is left at the end of the run (a paused
// run's tenants, tenants done by an earlier run of the job) is stamped then.
// Stamps never fail an item: a stamp not written is logged; the next full sync sees it.
import { TenantStampWriter } from '../vault/tenant-stamps';
import type { Clock, TimerHandle } from '../time/clock';
import type { VaultClient } from '../vault/vault-client';

export class JobStamps {
  private readonly writer: TenantStampWriter;
  private readonly left = new Map<string, number>();
  private readonly rotated = new Set<string>();
  private readonly stamped = new Set<string>();
  private ready: string[] = [];
  private timer: TimerHandle | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  failed = 0;

  constructor(
    client: VaultClient,
    mount: string,
    private readonly clock: Clock,
    private readonly everyMs: number,
    private readonly concurrency: number,
    /** Tenants of this run's open items. */
    openItemTenants: readonly string[],
  ) {
    this.writer = new TenantStampWriter(client, mount);
    for (const t of openItemTenants) this.left.set(t, (this.left.get(t) ?? 0) + 1);
  }

  /** One item of the tenant reached an outcome; rotated = Vault was written for it. */
  itemFinished(tenantId: string, rotated: boolean): void {
    if (rotated) this.rotated.add(tenantId);
    const n = (this.left.get(tenantId) ?? 1) - 1;
    this.left.set(tenantId, n);
    if (n > 0 || !this.rotated.has(tenantId) || this.stamped.has(tenantId)) return;
    this.stamped.add(tenantId);
    this.ready.push(tenantId);
    this.timer ??= this.clock.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.everyMs);
  }

  private flush(): void {
    const batch = this.ready;
    this.ready = [];
    if (batch.length === 0) return;
    const at = new Date(this.clock.now()).toISOString();
    this.inFlight = this.inFlight
      .then(async () => {
        const r = await this.writer.bump(batch, at, { concurrency: this.concurrency });
        this.failed += r.failed.length;
      })
      .catch(() => {
        this.failed += batch.length;
      });
  }

  /**
   * End of the run: stamps what is still due (tenants with a rotation this run that were
   * not stamped yet, and `earlier`: tenants an earlier run rotated), then waits for all.
   */
  async close(earlier: readonly string[]): Promise<void> {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    for (const t of [...this.rotated, ...earlier]) {
      if (this.stamped.has(t)) continue;
      this.stamped.add(t);
      this.ready.push(t);
    }
    this.flush();
    await this.inFlight;
  }
}
