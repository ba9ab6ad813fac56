// Rotation state for the metrics: the inventory feature's own incremental sync of
// KV v2 metadata into the watcher's index (cheap with change stamps), and the counts
// of secrets overdue or due within 7 days per type, recomputed as time passes.
import { AppError } from '../../../shared/errors';
import type { InventoryService } from '../inventory/inventory-service';
import type { Logger } from '../log/logger';
import type { InventoryRepo } from '../storage/inventory-repo';
import type { WatchRepo } from '../storage/watch-repo';
import type { Clock } from '../time/clock';
import type { WatchMetrics } from './watch-metrics';

export const DUE_SOON_MS = 7 * 86_400_000;

export interface InventoryWatchDeps {
  inventory: InventoryService;
  index: InventoryRepo;
  repo: WatchRepo;
  metrics: WatchMetrics;
  clock: Clock;
  log: Logger;
  kvMount: string;
}

export class InventoryWatch {
  private failing = false;
  /** A sync has succeeded since the start. */
  synced = false;

  constructor(private readonly deps: InventoryWatchDeps) {}

  async sync(): Promise<void> {
    try {
      await this.deps.inventory.sync({ mode: 'incremental' });
      this.synced = true;
      if (this.failing) this.deps.log.info('inventory sync works again');
      this.failing = false;
    } catch (err) {
      this.deps.metrics.error('inventory');
      if (!this.failing) this.deps.log.warn(`inventory sync failed: ${err instanceof AppError ? err.message : 'error'}; rotation metrics keep their last values`);
      this.failing = true;
    }
    this.recount();
  }

  /** Overdue and due-soon counts from the index: cheap (one grouped scan), run every poll. */
  recount(): void {
    const { index, repo, metrics, clock, kvMount } = this.deps;
    const last = index.lastDone(kvMount);
    if (!last) return;
    const at = Date.parse(last.finished_at ?? '');
    metrics.due(repo.dueCounts(clock.now(), DUE_SOON_MS), index.count(), Number.isFinite(at) ? at : null);
  }
}
