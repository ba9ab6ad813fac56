// The retention run scheduled by the audit service (at start, then daily), driven by
// a manual clock: old months are archived with a checksum, expired ones deleted,
// a reopened month is left open, and archiving it again loses nothing.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NO_VAULT_DETAIL, type AuditRecord } from '../../../../../src/main/services/audit/audit-record';
import { AuditService, MAINTENANCE_INTERVAL_MS, MAINTENANCE_START_DELAY_MS } from '../../../../../src/main/services/audit/audit-service';
import { createLogger } from '../../../../../src/main/services/log/logger';
import { openDatabase } from '../../../../../src/main/services/storage/database';
import { SettingsRepo } from '../../../../../src/main/services/storage/settings-repo';
import { ManualClock } from '../../../../../src/main/services/time/clock';

const rec = (i: number, ts: number): AuditRecord => ({
  key: `r:${i}`, ts, action: 'read', tenant: 't-000001', user: 'admin', secretType: 'ssh', ip: '10.0.0.1', status: 'ok', path: 'tenants/data/t-000001/ssh/admin', source: 'vault', requestId: `q${i}`, approvalId: null, error: null, ...NO_VAULT_DETAIL,
});

function service(clock: ManualClock) {
  const dir = mkdtempSync(join(tmpdir(), 'vc-audit-retention-'));
  const db = openDatabase(join(dir, 'db.sqlite'));
  const audit = new AuditService({
    db,
    settings: new SettingsRepo(db),
    clock,
    log: createLogger('test'),
    dataDir: dir,
    session: {
      info: () => ({ signedIn: false, profileId: 'p', address: '', method: null, displayName: '', username: null, entityId: null, policies: [], expiresAt: null, renewable: false, expiringSoon: false, problem: null }),
      requireClient: () => {
        throw new Error('offline');
      },
    },
    kvMount: () => 'tenants',
  });
  return { audit, dir };
}

const june = (months: { month: string }[]) => months.find((m) => m.month === '2025-06');

/** Lets the async run that a timer started finish. */
async function settle(audit: AuditService): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setImmediate(r));
    await audit.maintenanceIdle();
  }
}

describe('audit retention schedule', () => {
  it('runs shortly after start and then daily: archives old months, deletes expired ones, keeps the policy from settings', async () => {
    const clock = new ManualClock(Date.UTC(2026, 1, 10, 12));
    const { audit, dir } = service(clock);
    audit.repo.insertMany([rec(1, Date.UTC(2018, 5, 1)), rec(2, Date.UTC(2024, 2, 3)), rec(3, Date.UTC(2024, 2, 9)), rec(4, Date.UTC(2024, 11, 20)), rec(5, Date.UTC(2026, 1, 1)), rec(6, Date.UTC(2025, 7, 1))]);
    audit.startMaintenance();
    expect(audit.maintenanceStatus()).toMatchObject({ lastRunAt: null, nextRunAt: new Date(clock.now() + MAINTENANCE_START_DELAY_MS).toISOString() });

    // Nothing happens before the first run is due.
    clock.advance(MAINTENANCE_START_DELAY_MS - 1);
    await settle(audit);
    expect(audit.repo.counts({}).total).toBe(6);

    clock.advance(1);
    await settle(audit);
    // Default policy: archive months older than 13 months, delete after 7 years.
    expect(audit.maintenanceStatus()).toMatchObject({ lastArchived: ['2024-03', '2024-12'], lastDropped: ['2018-06'], lastError: null });
    const view = await audit.archives();
    expect(view.months.map((m) => [m.month, m.state, m.events])).toEqual([
      ['2026-02', 'hot', 1],
      ['2025-08', 'hot', 1],
      ['2024-12', 'archived', 1],
      ['2024-03', 'archived', 2],
    ]);
    const march = view.months.find((m) => m.month === '2024-03')!;
    expect(createHash('sha256').update(readFileSync(join(dir, 'audit-archive', march.archiveFile!))).digest('hex')).toBe(march.sha256);
    expect(audit.repo.counts({}).total).toBe(2);

    // A stricter policy takes effect at the next daily run, not before.
    audit.setRetentionPolicy({ archiveAfterMonths: 1, retentionYears: 1 });
    clock.advance(MAINTENANCE_INTERVAL_MS - 1);
    await settle(audit);
    expect((await audit.archives()).months.map((m) => m.month)).toContain('2024-03');
    clock.advance(1);
    await settle(audit);
    expect(audit.maintenanceStatus()).toMatchObject({ lastArchived: ['2025-08'], lastDropped: ['2024-03', '2024-12'] });
    expect(existsSync(join(dir, 'audit-archive', march.archiveFile!))).toBe(false);
    // 2026-02 is the current month and stays hot.
    expect((await audit.archives()).months.map((m) => [m.month, m.state])).toEqual([
      ['2026-02', 'hot'],
      ['2025-08', 'archived'],
    ]);

    await audit.dispose();
    // Stopped: no more runs.
    const last = audit.maintenanceStatus().lastRunAt;
    clock.advance(3 * MAINTENANCE_INTERVAL_MS);
    await settle(audit);
    expect(audit.maintenanceStatus().lastRunAt).toBe(last);
  });

  it('refuses a policy that deletes months before archiving them, and archiving the current month', async () => {
    const clock = new ManualClock(Date.UTC(2026, 1, 10));
    const { audit } = service(clock);
    expect(() => audit.setRetentionPolicy({ archiveAfterMonths: 24, retentionYears: 2 })).toThrow(/archive them sooner/);
    expect(audit.retentionPolicy()).toEqual({ archiveAfterMonths: 13, retentionYears: 7 });
    audit.repo.insertMany([rec(1, Date.UTC(2026, 1, 2))]);
    await expect(audit.archiveMonth('2026-02')).rejects.toThrow(/has not ended yet/);
    await expect(audit.archiveMonth('2026-13')).rejects.toThrow(/not a month/);
    await expect(audit.archiveMonth('2025-12')).rejects.toThrow(/No audit events/);
  });

  it('leaves a reopened month open, and archiving it again (after new events arrived) loses nothing', async () => {
    const clock = new ManualClock(Date.UTC(2026, 1, 10));
    const { audit } = service(clock);
    audit.repo.insertMany([rec(1, Date.UTC(2025, 5, 1)), { ...rec(2, Date.UTC(2025, 5, 2)), tenant: 't-000009', user: 'auditor' }, rec(9, Date.UTC(2026, 0, 2))]);
    expect(audit.repo.facets()).toEqual({ tenants: ['t-000001', 't-000009'], users: ['admin', 'auditor'] });
    await audit.archiveMonth('2025-06');
    expect(audit.repo.counts({}).total).toBe(1);
    // The filter lists offer only what the live store holds.
    expect(audit.repo.facets()).toEqual({ tenants: ['t-000001'], users: ['admin'] });

    // An old log imported later brings one more event of that month: it is kept,
    // and the month is now partly in SQLite.
    audit.repo.insertMany([rec(3, Date.UTC(2025, 5, 3))]);
    expect(june((await audit.archives()).months)).toMatchObject({ state: 'reopened', events: 1 });
    // The daily run does not archive a reopened month behind the reviewer's back.
    await audit.runMaintenance();
    expect(june((await audit.archives()).months)).toMatchObject({ state: 'reopened' });

    const again = await audit.archiveMonth('2025-06');
    expect(june(again.months)).toMatchObject({ state: 'archived', events: 3 });
    const back = await audit.reopenMonth('2025-06');
    expect(back.report).toMatchObject({ outcome: 'imported', inserted: 3 });
    expect(june(back.months)).toMatchObject({ state: 'reopened', events: 3 });
    expect(audit.repo.page({}, null, 10).events.map((e) => e.key).sort()).toEqual(['r:1', 'r:2', 'r:3', 'r:9']);
    expect(audit.repo.facets().tenants).toEqual(['t-000001', 't-000009']);
    expect(audit.repo.page({ text: 't-000009' }, null, 10).events.map((e) => e.key)).toEqual(['r:2']);
  });
});
