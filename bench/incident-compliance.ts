// Incident response, evidence packs and SOC 2 reports (issue 15), on a SQLite store filled
// with N generated events (default 10,000,000) spread over one year, 10,000 tenants in the
// inventory index and a year of daily backups. No Vault is needed (the report's Vault-only
// parts, admin identities and approvals, are left out and said so):
//  1. blast-radius listing for one identity (the heaviest admin, ~1/20 of all events; a
//     week of it; its entity; an address; a token accessor): p50/p95 over 20 runs each;
//  2. evidence pack export and verification of M events (default 1,000,000): MB/s, against
//     sha256sum over the same events.ndjson;
//  3. the SOC 2 report for the year (numbers, HTML, PDF with headless Chromium, JSON, the
//     signed pack of its events): seconds.
// Run alone: npx tsx bench/incident-compliance.ts (BENCH_INCIDENT_EVENTS, BENCH_SOC2_TENANTS,
// BENCH_EVIDENCE_EVENTS shrink it).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditRecord } from '../src/main/services/audit/audit-record';
import { AuditService } from '../src/main/services/audit/audit-service';
import { ChromiumPdfPrinter, findChromium } from '../src/main/services/compliance/chromium-pdf';
import { ComplianceService } from '../src/main/services/compliance/compliance-service';
import { EvidenceService } from '../src/main/services/evidence/evidence-service';
import { verifyPack } from '../src/main/services/evidence/pack-verifier';
import { EvidenceSigningKey } from '../src/main/services/evidence/signing-key';
import { IncidentService } from '../src/main/services/incident/incident-service';
import { buildTenant, normalizeSecret } from '../src/main/services/inventory/normalize';
import { MemorySecretStore } from '../src/main/services/keychain/memory-secret-store';
import { createLogger } from '../src/main/services/log/logger';
import type { IdentityRef } from '../src/main/services/storage/audit-access-queries';
import { AuditRepo } from '../src/main/services/storage/audit-repo';
import { BackupRepo } from '../src/main/services/storage/backup-repo';
import { ComplianceQueries } from '../src/main/services/storage/compliance-queries';
import { openDatabase } from '../src/main/services/storage/database';
import { InventoryRepo } from '../src/main/services/storage/inventory-repo';
import { SettingsRepo } from '../src/main/services/storage/settings-repo';
import { ManualClock } from '../src/main/services/time/clock';
import { generate } from './audit-log-generator';
import { percentile } from './lib/stats';
import { environment, writeResult } from './lib/results';
import { renderTable, type Cell } from './lib/table';

const log = (m: string) => process.stderr.write(`[bench:incident] ${m}\n`);
const YEAR_START = Date.UTC(2025, 0, 1);
const YEAR_MS = 365 * 86_400_000;
const ACTION: Record<string, AuditRecord['action']> = { read: 'read', 'read-metadata': 'read-metadata', list: 'list', write: 'write', delete: 'delete', 'failed-login': 'failed-login', login: 'login' };
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

/** CPU time (user + system) of fn in ms: on a shared machine wall time also counts the waits for a core. */
function cpuMs<T>(fn: () => T): { value: T; cpu: number; wall: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const c = process.cpuUsage(c0);
  return { value, cpu: (c.user + c.system) / 1000, wall: performance.now() - t0 };
}

function stats(samples: number[]): { p50: number; p95: number; p99: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99) };
}

/** N events over one year; a few reads are console reveals / downloads, a few writes emergency resets under incidents. */
function fillEvents(repo: AuditRepo, n: number, tenants: number): void {
  const end = repo.beginBulk();
  let batch: AuditRecord[] = [];
  let i = 0;
  const t0 = performance.now();
  for (const [, , e] of generate({ events: n, tenants, seed: 11, withLines: false })) {
    const tenantPath = e.kind !== 'login' && e.kind !== 'failed-login';
    const action = ACTION[e.kind] ?? 'other';
    // Vault's record decides the action; the console header annotates some of the reads
    // (reveals, downloads) and writes (emergency resets under incidents).
    let consoleHeader: string | null = null;
    if (action === 'read' && i % 1000 === 7) consoleHeader = `action=reveal;req=vc-${i}`;
    else if (action === 'read' && i % 5000 === 11) consoleHeader = `action=download;req=vc-${i}`;
    else if (action === 'write' && i % 2000 === 3) consoleHeader = `action=emergency-reset;req=vc-${i};incident=INC-${1000 + (i % 37)}`;
    batch.push({
      key: `v:${i}`,
      ts: YEAR_START + Math.floor((i * YEAR_MS) / n),
      action,
      tenant: tenantPath ? e.tenant : null,
      user: e.user,
      secretType: tenantPath ? ((e.path.split('/')[3] as AuditRecord['secretType']) ?? 'none') : 'none',
      ip: e.ip,
      status: e.kind === 'failed-login' ? 'denied' : 'ok',
      path: e.path,
      source: 'vault',
      requestId: String(i),
      approvalId: null,
      error: e.kind === 'failed-login' ? 'invalid credentials' : null,
      operation: e.kind === 'failed-login' || e.kind === 'login' ? 'update' : action === 'read' || action === 'read-metadata' ? 'read' : action === 'list' ? 'list' : action === 'delete' ? 'delete' : 'update',
      mount: tenantPath ? 'tenants/' : 'auth/userpass/',
      entityId: e.kind === 'failed-login' ? null : `ent-${e.user}`,
      // One token per admin per ~2 weeks.
      accessor: e.kind === 'failed-login' ? null : `acc-${e.user}-${Math.floor(i / (n / 26))}`,
      consoleHeader,
      headerConflict: false,
    });
    i++;
    if (batch.length === 50_000) {
      repo.insertMany(batch);
      batch = [];
      if (i % 1_000_000 === 0) log(`  ${i.toLocaleString('en-US')} events (${((i / (performance.now() - t0)) * 1000).toFixed(0)}/s)`);
    }
  }
  repo.insertMany(batch);
  end();
}

export function fillInventory(db: ReturnType<typeof openDatabase>, tenants: number): number {
  const inv = new InventoryRepo(db);
  const now = new Date(YEAR_START + YEAR_MS).toISOString();
  let secrets = 0;
  let x = 12345;
  const rnd = () => ((x = (x * 1103515245 + 12345) >>> 0) / 4294967296);
  db.transaction(() => {
    for (let t = 1; t <= tenants; t++) {
      const id = `t-${String(t).padStart(6, '0')}`;
      const rels: Array<[string, string, number]> = [
        ['ssh/admin', 'ssh', 90],
        ['ssh/tenant', 'ssh', 90],
        ['smtp/admin', 'smtp', 180],
        ['api/ak_0123456789abcdef', 'api', 365],
        ['dkim/mail.example.org', 'dkim', 365],
      ];
      const list = rels.map(([rel, type, days]) => {
        const last = YEAR_START + YEAR_MS - Math.floor(rnd() * 500 * 86_400_000);
        const created = new Date(last).toISOString();
        return normalizeSecret(id, rel, {
          current_version: 1,
          updated_time: created,
          created_time: created,
          versions: { '1': { created_time: created, deletion_time: '', destroyed: false } },
          custom_metadata: { schema: '1', type, status: rnd() < 0.02 && type === 'api' ? 'revoked' : 'active', last_rotated: created, next_rotation: new Date(last + days * 86_400_000).toISOString(), rotation_days: String(days) },
        });
      });
      secrets += list.length;
      inv.replaceTenant(buildTenant(id, list, `stamp-${t}`), list, now);
    }
  })();
  const run = inv.startRun('tenants', 'full', now);
  inv.finishRun(run, 'done', now, { total: tenants, scanned: tenants, unchanged: 0, removed: 0, problems: 0, requests: 0 });
  return secrets;
}

export function fillBackups(db: ReturnType<typeof openDatabase>): void {
  const b = new BackupRepo(db);
  for (let d = 0; d < 365; d++) {
    const at = YEAR_START + d * 86_400_000 + 2.5 * 3_600_000;
    const failed = d % 33 === 5;
    b.upsert({
      id: `bk-${d}`, kind: 'raft', status: failed ? 'failed' : d < 335 ? 'deleted' : 'completed', startedAt: new Date(at).toISOString(), finishedAt: new Date(at + 90_000).toISOString(), durationMs: 90_000,
      sizeBytes: 50_000_000, sha256: failed ? null : 'ab'.repeat(32), bucket: 'b', objectKey: `k/${d}`, versionId: null, actor: 'backup-timer', mount: null, itemCount: null,
      error: failed ? 'S3 unreachable' : null, verifiedAt: d % 30 === 10 && !failed ? new Date(at + 3_600_000).toISOString() : null, deletedAt: null,
    });
  }
}

export async function benchIncidentCompliance(opts: { events: number; tenants: number; evidenceEvents: number }): Promise<Cell[][]> {
  const dir = mkdtempSync(join(tmpdir(), 'vc-bench-incident-'));
  const rows: Cell[][] = [];
  const env = environment({ version: 'n/a (generated events; no Vault)', storage: 'SQLite WAL (better-sqlite3)' });
  try {
    const db = openDatabase(join(dir, 'console.db'));
    const repo = new AuditRepo(db);
    log(`storing ${opts.events.toLocaleString('en-US')} events over one year (${opts.tenants.toLocaleString('en-US')} tenants)…`);
    let t = performance.now();
    fillEvents(repo, opts.events, opts.tenants);
    const fillS = (performance.now() - t) / 1000;
    repo.maintain();
    log(`  stored in ${fillS.toFixed(0)} s (${(opts.events / fillS).toFixed(0)} events/s with migration 10's indexes)`);

    // ---- 1. blast radius ----
    const clock = new ManualClock(YEAR_START + YEAR_MS + 86_400_000);
    const unused = () => {
      throw new Error('not in the bench');
    };
    const incident = new IncidentService({ access: repo.access, rotation: { previewPaths: unused, start: unused, jobs: unused, jobDetail: unused, report: unused, rotateOne: unused, apiKeys: {} as never }, mount: () => 'tenants', clock, log: createLogger('bench') });
    const ip = (db.prepare("SELECT ip FROM audit_events WHERE action = 'read' ORDER BY id LIMIT 1 OFFSET 1000").pluck().get() as string) ?? '10.0.0.1';
    const year = { from: YEAR_START, to: YEAR_START + YEAR_MS };
    const week = { from: YEAR_START + YEAR_MS - 7 * 86_400_000, to: YEAR_START + YEAR_MS };
    const month = { from: YEAR_START + YEAR_MS - 30 * 86_400_000, to: YEAR_START + YEAR_MS };
    const cases: Array<{ name: string; ref: IdentityRef; range: { from: number; to: number } }> = [
      { name: 'user admin07, whole year', ref: { kind: 'user', values: ['admin07'] }, range: year },
      { name: 'user admin07, last 30 days', ref: { kind: 'user', values: ['admin07'] }, range: month },
      { name: 'user admin07, last 7 days', ref: { kind: 'user', values: ['admin07'] }, range: week },
      { name: 'entity of admin07, whole year', ref: { kind: 'entity', values: ['ent-admin07'] }, range: year },
      { name: 'token accessor (2 weeks of admin07)', ref: { kind: 'accessor', values: ['acc-admin07-13'] }, range: year },
      { name: `address ${ip}, whole year`, ref: { kind: 'address', values: [ip] }, range: year },
    ];
    const blast: Record<string, unknown> = {};
    for (const c of cases) {
      const samples: number[] = [];
      const cpu: number[] = [];
      let secrets = 0;
      for (let k = 0; k < 20; k++) {
        const r = cpuMs(() => incident.listing(c.ref, c.range).secrets.length);
        secrets = r.value;
        samples.push(r.wall);
        cpu.push(r.cpu);
      }
      const st = stats(samples);
      const sc = stats(cpu);
      blast[c.name] = { ...st, cpuP50: sc.p50, cpuP95: sc.p95, secrets, samples: samples.length };
      rows.push([`incident: blast radius, ${c.name}`, opts.events, st.p50, st.p95, st.p99, 1000 / st.p50, `${secrets.toLocaleString('en-US')} secrets; CPU p50/p95 ${sc.p50.toFixed(0)}/${sc.p95.toFixed(0)} ms; target p95 <= 500 ms`]);
      log(`  blast radius ${c.name}: p95 ${st.p95.toFixed(1)} ms wall, ${sc.p95.toFixed(1)} ms CPU (${secrets} secrets)`);
    }
    await writeResult({ name: 'incident-blast-radius', description: `Blast-radius listing over ${opts.events} stored events (one year), 20 runs per identity`, startedAt: new Date().toISOString(), durationMs: 0, environment: env, metrics: { events: opts.events, fillSeconds: fillS, cases: blast } });

    // ---- 2. evidence export and verify ----
    const store = new MemorySecretStore();
    const key = new EvidenceSigningKey(store);
    const evidence = new EvidenceService({ repo, key, clock, log: createLogger('bench'), exportDir: join(dir, 'exports') });
    const m = Math.min(opts.evidenceEvents, opts.events);
    const slice = { from: new Date(YEAR_START).toISOString(), to: new Date(YEAR_START + Math.floor((m * YEAR_MS) / opts.events) - 1).toISOString() };
    log(`evidence pack of ${m.toLocaleString('en-US')} events…`);
    t = performance.now();
    let c0 = process.cpuUsage();
    const pack = await evidence.exportQuery(slice, { dir: join(dir, 'bench.evidence') });
    const exportS = (performance.now() - t) / 1000;
    let cu = process.cpuUsage(c0);
    const exportCpuS = (cu.user + cu.system) / 1e6;
    const mb = pack.bytes / 1e6;
    const pem = (await key.key()).publicKeyPem;
    const verifySamples: number[] = [];
    const verifyCpu: number[] = [];
    for (let k = 0; k < 3; k++) {
      c0 = process.cpuUsage();
      const v = await verifyPack(pack.dir, pem);
      cu = process.cpuUsage(c0);
      if (!v.ok) throw new Error(`bench pack did not verify: ${v.problem?.message}`);
      verifySamples.push(v.seconds);
      verifyCpu.push((cu.user + cu.system) / 1e6);
    }
    const verifyS = Math.min(...verifySamples);
    const verifyCpuS = Math.min(...verifyCpu);
    const file = join(pack.dir, 'events.ndjson');
    const shaSamples: number[] = [];
    const shaCpu: number[] = [];
    for (let k = 0; k < 3; k++) {
      // bash's time: wall, user and system seconds of sha256sum itself.
      const [real, user, sys] = execFileSync('bash', ['-c', 'TIMEFORMAT="%3R %3U %3S"; { time sha256sum "$1" >/dev/null; } 2>&1', 'sha', file], { encoding: 'utf8' }).trim().split(/\s+/).map(Number) as [number, number, number];
      shaSamples.push(real);
      shaCpu.push(user + sys);
    }
    const shaS = Math.min(...shaSamples);
    const shaCpuS = Math.min(...shaCpu);
    const ev = {
      events: pack.records,
      bytes: pack.bytes,
      exportSeconds: exportS,
      exportCpuSeconds: exportCpuS,
      exportMbPerSecond: mb / exportS,
      verifySeconds: verifyS,
      verifyCpuSeconds: verifyCpuS,
      verifyMbPerSecond: mb / verifyS,
      verifyMbPerCpuSecond: mb / verifyCpuS,
      sha256sumSeconds: shaS,
      sha256sumCpuSeconds: shaCpuS,
      sha256sumMbPerSecond: mb / shaS,
      sha256sumMbPerCpuSecond: mb / shaCpuS,
      verifyVsHalfSha256sum: mb / verifyS / (mb / shaS / 2),
      verifyVsHalfSha256sumCpu: mb / verifyCpuS / (mb / shaCpuS / 2),
    };
    await writeResult({ name: 'evidence-pack', description: `Evidence pack export and verification of ${pack.records} events vs sha256sum over the same events.ndjson (best of 3)`, startedAt: new Date().toISOString(), durationMs: (exportS + verifyS) * 1000, environment: env, metrics: ev });
    rows.push(['evidence: export pack', pack.records, Number.NaN, Number.NaN, Number.NaN, pack.records / exportS, `${ev.exportMbPerSecond.toFixed(1)} MB/s wall, ${(mb / exportCpuS).toFixed(1)} MB per CPU s (${mb.toFixed(0)} MB)`]);
    rows.push(['evidence: verify pack', pack.records, Number.NaN, Number.NaN, Number.NaN, pack.records / verifyS, `${ev.verifyMbPerSecond.toFixed(1)} MB/s wall (${ev.verifyMbPerCpuSecond.toFixed(0)} per CPU s); sha256sum ${ev.sha256sumMbPerSecond.toFixed(1)} (${ev.sha256sumMbPerCpuSecond.toFixed(0)}); vs sha256sum/2: ${ev.verifyVsHalfSha256sum.toFixed(2)} wall, ${ev.verifyVsHalfSha256sumCpu.toFixed(2)} CPU (target >= 1)`]);
    log(`  export ${ev.exportMbPerSecond.toFixed(1)} MB/s, verify ${ev.verifyMbPerSecond.toFixed(1)} MB/s (${ev.verifyMbPerCpuSecond.toFixed(0)} per CPU s), sha256sum ${ev.sha256sumMbPerSecond.toFixed(1)} MB/s (${ev.sha256sumMbPerCpuSecond.toFixed(0)} per CPU s)`);
    rmSync(pack.dir, { recursive: true, force: true });

    // ---- 3. SOC 2 report for the year ----
    log(`inventory index of ${opts.tenants.toLocaleString('en-US')} tenants and a year of backups…`);
    const secrets = fillInventory(db, opts.tenants);
    fillBackups(db);
    const audit = new AuditService({
      db,
      settings: new SettingsRepo(db),
      clock,
      log: createLogger('bench'),
      dataDir: dir,
      session: { info: () => ({ signedIn: false, profileId: 'bench', address: '', method: null, displayName: 'bench', username: null, entityId: null, policies: [], expiresAt: null, renewable: false, expiringSoon: false, problem: null }), requireClient: unused },
      kvMount: () => 'tenants',
    });
    const bin = findChromium();
    const compliance = new ComplianceService({ audit, queries: new ComplianceQueries(db), evidence, mount: () => 'tenants', vaultAddress: () => 'https://vault.example:8200', clock, log: quiet, exportDir: join(dir, 'exports'), pdf: bin ? new ChromiumPdfPrinter(bin) : null });
    log('SOC 2 report for the year…');
    t = performance.now();
    c0 = process.cpuUsage();
    const numbers = await compliance.numbers('2025-01-01', '2025-12-31');
    const numbersS = (performance.now() - t) / 1000;
    cu = process.cpuUsage(c0);
    const numbersCpuS = (cu.user + cu.system) / 1e6;
    // The whole report from a cold start: alerts not cached.
    const compliance2 = new ComplianceService({ audit: new AuditService({ db, settings: new SettingsRepo(db), clock, log: createLogger('bench'), dataDir: dir, session: { info: () => ({ signedIn: false, profileId: 'bench', address: '', method: null, displayName: 'bench', username: null, entityId: null, policies: [], expiresAt: null, renewable: false, expiringSoon: false, problem: null }), requireClient: unused }, kvMount: () => 'tenants' }), queries: new ComplianceQueries(db), evidence, mount: () => 'tenants', vaultAddress: () => 'https://vault.example:8200', clock, log: quiet, exportDir: join(dir, 'exports'), pdf: bin ? new ChromiumPdfPrinter(bin) : null });
    t = performance.now();
    c0 = process.cpuUsage();
    const r = await compliance2.soc2('2025-01-01', '2025-12-31', { dir: join(dir, 'soc2.evidence') });
    const totalS = (performance.now() - t) / 1000;
    cu = process.cpuUsage(c0);
    const totalCpuS = (cu.user + cu.system) / 1e6;
    const sizes = Object.fromEntries(r.files.map((f) => [f.name, f.bytes]));
    const soc2 = { events: opts.events, tenants: opts.tenants, secrets, numbersSeconds: numbersS, numbersCpuSeconds: numbersCpuS, totalSeconds: totalS, totalCpuSecondsOfThisProcess: totalCpuS, packEvents: r.pack.records, files: sizes, pdf: bin !== null, summary: r.summary, reveals: numbers.secretAccess.totals.reveals, identities: numbers.secretAccess.totals.identities };
    await writeResult({ name: 'soc2-report', description: `SOC 2 report for one year: ${opts.events} events, ${opts.tenants} tenants (numbers, HTML, PDF, JSON, signed pack)`, startedAt: new Date().toISOString(), durationMs: totalS * 1000, environment: env, metrics: soc2 });
    rows.push(['soc2: numbers for the year', opts.events, numbersS * 1000, Number.NaN, Number.NaN, Number.NaN, `${opts.tenants.toLocaleString('en-US')} tenants, ${secrets.toLocaleString('en-US')} secrets; ${numbersCpuS.toFixed(1)} CPU s`]);
    rows.push(['soc2: whole report + pack', opts.events, totalS * 1000, Number.NaN, Number.NaN, Number.NaN, `${totalS.toFixed(1)} s wall, ${totalCpuS.toFixed(1)} CPU s in this process + Chromium (target <= 30 s); pack ${r.pack.records.toLocaleString('en-US')} events; PDF ${bin ? `${(sizes['report.pdf'] ?? 0) / 1e3} kB` : 'skipped (no Chromium)'}; db ${(statSync(join(dir, 'console.db')).size / 1e9).toFixed(1)} GB`]);
    log(`  numbers ${numbersS.toFixed(1)} s (${numbersCpuS.toFixed(1)} CPU s), whole report ${totalS.toFixed(1)} s (${totalCpuS.toFixed(1)} CPU s + Chromium)`);
    await audit.dispose();
    db.close();
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const n = (k: string, d: number) => Number(process.env[k] ?? d);
  benchIncidentCompliance({ events: n('BENCH_INCIDENT_EVENTS', 10_000_000), tenants: n('BENCH_SOC2_TENANTS', 10_000), evidenceEvents: n('BENCH_EVIDENCE_EVENTS', 1_000_000) }).then(
    (rows) => process.stdout.write(`${renderTable(['benchmark', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'ops/s', 'note'], rows)}\n`),
    (err: unknown) => {
      process.stderr.write(`incident bench failed: ${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
