// Security and cardinality: whatever Vault's audit log holds (thousands of tenants, user
// names, addresses and paths), /metrics carries no tenant id, user name, address or path,
// every label takes a value from a closed list, and the number of series does not grow
// with the number of tenants.
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, AUDIT_SECRET_TYPES } from '../../../../../src/shared/audit/audit-rules';
import type { AuditRecord } from '../../../../../src/main/services/audit/audit-record';
import { AuditRepo } from '../../../../../src/main/services/storage/audit-repo';
import { openDatabase } from '../../../../../src/main/services/storage/database';
import { WatchRepo } from '../../../../../src/main/services/storage/watch-repo';
import { LABEL_VALUES, WatchMetrics } from '../../../../../src/main/services/watch/watch-metrics';
import { WATCH_CONDITIONS } from '../../../../../src/shared/contracts/watch';

const T0 = Date.UTC(2026, 11, 4);

function records(tenants: number, perTenant: number): AuditRecord[] {
  const out: AuditRecord[] = [];
  let n = 0;
  for (let t = 0; t < tenants; t++) {
    const tenant = `t-${String(t).padStart(6, '0')}`;
    for (let i = 0; i < perTenant; i++, n++) {
      const action = AUDIT_ACTIONS[n % AUDIT_ACTIONS.length]!;
      const type = AUDIT_SECRET_TYPES[Math.floor(n / AUDIT_ACTIONS.length) % 4]!;
      out.push({
        key: `v:${n}`,
        ts: T0 + n,
        action,
        tenant,
        user: `user-${n % 997}@example.com`,
        secretType: type,
        ip: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
        status: (['ok', 'denied', 'error'] as const)[n % 3]!,
        path: `tenants/data/${tenant}/${type}/secret-${i}`,
        source: 'vault',
        requestId: `r-${n}`,
        approvalId: null,
        error: null,
        operation: action === 'read' ? 'read' : 'update',
        mount: 'tenants/',
        entityId: `ent-${n % 97}`,
        // The console's header (an annotation) on some: hostile free text must not reach a label either.
        consoleHeader: action === 'write' ? `action=rotate;req=vc-${n}` : n % 7 === 0 ? `action=reveal;req=${tenant}-user-${n}` : null,
        headerConflict: false,
      });
    }
  }
  return out;
}

async function exposition(tenants: number): Promise<{ text: string; series: string[] }> {
  const db = openDatabase(':memory:');
  const audit = new AuditRepo(db);
  audit.insertMany(records(tenants, 5));
  const repo = new WatchRepo(db);
  const m = new WatchMetrics('0.1.0');
  m.auditBatch(repo.eventsAfter(0, 1_000_000), 'tenants');
  m.due([{ type: 'ssh', overdue: 3, due7: 4 }, { type: 'weird-type', overdue: 1, due7: 1 }], tenants, T0);
  m.vault({ reachable: true, initialized: true, sealed: false, active: true, leaderKnown: true, haNodes: 3, storageHealthy: true, raft: { failureTolerance: 1, voters: 3 }, auditDevices: 2, sealedByConsole: false, checkedAtMs: T0 });
  m.backupCatalog({ configured: true, up: true, lastSuccessMs: T0, lastAttemptFailed: false });
  m.backupSeen({ status: 'completed', durationMs: 42_000 });
  for (const c of WATCH_CONDITIONS) m.condition(c, true);
  m.alertRaised('failed-auth');
  m.pagerResult('trigger', 'retried');
  m.error('backup');
  const text = await m.text();
  const series = text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.slice(0, l.lastIndexOf(' ')));
  return { text, series };
}

/** prom-client's default process and Node.js metrics (their own bounded labels). */
const DEFAULT_LABELS = new Set(['space', 'kind', 'version', 'major', 'minor', 'patch', 'le', 'type']);

describe('/metrics labels are bounded', () => {
  it('no tenant id, user, address or path appears anywhere in the exposition', async () => {
    const { text } = await exposition(300);
    expect(text).not.toMatch(/t-\d{6}/);
    expect(text).not.toMatch(/user-\d+@example\.com/);
    expect(text).not.toMatch(/10\.\d+\.\d+\.\d+/);
    expect(text).not.toMatch(/tenants\/data/);
    expect(text).not.toContain('weird-type');
    // ... while the counters did count them (this test cannot pass on an empty exposition).
    expect(text).toMatch(/vault_console_rotations_total\{type="ssh",outcome="success"\} [1-9]/);
    expect(text).toMatch(/vault_console_secret_reads_total\{type="smtp"\} [1-9]/);
    expect(text).toMatch(/vault_console_audit_events_total\{action="read"\} [1-9]/);
  });

  it('every label of every series takes a value from its closed list', async () => {
    const { series } = await exposition(300);
    for (const s of series) {
      const name = s.split('{')[0]!;
      const labels = [...(s.match(/\{(.*)\}/)?.[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!] as const);
      const isDefault = /^vault_console_watch_(process|nodejs)_/.test(name);
      for (const [k, v] of labels) {
        if (isDefault) {
          expect(DEFAULT_LABELS.has(k), `${name} label ${k}`).toBe(true);
          continue;
        }
        if (k === 'le') continue;
        expect(Object.keys(LABEL_VALUES), `${name} has an unknown label ${k}`).toContain(k);
        if (k === 'version') expect(v).toBe('0.1.0');
        else expect(LABEL_VALUES[k], `${name}{${k}="${v}"}`).toContain(v);
      }
    }
  });

  it('the number of series is the same for 20 tenants and for 2,000', async () => {
    const small = await exposition(20);
    const big = await exposition(2_000);
    const ours = (x: string[]) => x.filter((s) => !/^vault_console_watch_(process|nodejs)_/.test(s)).sort();
    expect(ours(big.series)).toEqual(ours(small.series));
    // Counters are labelled by what, never by whom: rotations by type x outcome, reads by type.
    expect(ours(big.series).filter((s) => s.startsWith('vault_console_rotations_total'))).toHaveLength(12);
  });
});
