// SOC 2 secret-access reports: for a finished period, the numbers (soc2-data.ts) as JSON,
// a self-contained HTML page with inline SVG charts and a PDF of it, all three in one
// signed evidence pack together with the events the detail tables list. No wall clock
// enters the output (the pack's time is the period's end), so the same inputs give
// byte-identical files.
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Soc2Report, Soc2Result } from '../../../shared/contracts/compliance';
import { AppError } from '../../../shared/errors';
import { DEFAULT_SCHEDULES, type RotationSchedules } from '../../../shared/rotation/rules';
import type { AuditService } from '../audit/audit-service';
import { judgeDeletes } from '../audit/approval-ledger';
import type { AlertSettings } from '../../../shared/contracts/audit';
import type { EvidenceService } from '../evidence/evidence-service';
import type { InventoryService } from '../inventory/inventory-service';
import type { Logger } from '../log/logger';
import { loadSchedules } from '../rotation/schedules-store';
import { RotationVaultIo } from '../rotation/vault-io';
import type { Session } from '../session/session-types';
import type { StoredEvent } from '../storage/audit-repo';
import type { ComplianceQueries } from '../storage/compliance-queries';
import type { Clock } from '../time/clock';
import type { VaultClient } from '../vault/vault-client';
import { adminIdentities } from './admin-identities';
import { normalizePdfDates, type PdfPrinter } from './pdf-printer';
import { collectSoc2, DAY_MS, type Soc2Inputs } from './soc2-data';
import { renderSoc2Html } from './soc2-html';

export interface ComplianceServiceDeps {
  audit: Pick<AuditService, 'repo' | 'alerts' | 'alertSettings'>;
  queries: ComplianceQueries;
  evidence: Pick<EvidenceService, 'writeSignedPack'>;
  /** Refreshes the inventory index before a report (signed in); absent: the index as it is. */
  inventory?: Pick<InventoryService, 'sync'>;
  session?: Pick<Session, 'info' | 'requireClient'>;
  mount: () => string;
  vaultAddress: () => string;
  clock: Clock;
  log: Logger;
  exportDir: string;
  /** Electron's printToPDF in the app, headless Chromium elsewhere; absent: no PDF (said so). */
  pdf?: PdfPrinter | null;
}

/** The actions whose events go into a SOC 2 pack (the detail tables' evidence). */
/** Deletes (and approval writes) judged per report: the newest this many. */
const DELETES_SCANNED = 100_000;

export const SOC2_PACK_ACTIONS = ['reveal', 'download', 'emergency-reset', 'delete', 'request-approval', 'approve'] as const;

export class ComplianceService {
  constructor(private readonly deps: ComplianceServiceDeps) {}

  private client(): VaultClient | null {
    const s = this.deps.session;
    if (!s || !s.info().signedIn) return null;
    try {
      return s.requireClient();
    } catch {
      return null;
    }
  }

  /** The period as epoch ms: whole UTC days, and it must have ended. */
  period(fromDay: string, toDay: string): { from: number; to: number } {
    const from = Date.parse(`${fromDay}T00:00:00.000Z`);
    const to = Date.parse(`${toDay}T23:59:59.999Z`);
    if (!Number.isFinite(from) || !Number.isFinite(to)) throw new AppError('BAD_INPUT', 'The period needs two valid dates (YYYY-MM-DD).');
    if (from > to) throw new AppError('BAD_INPUT', 'The period ends before it starts.');
    if (to >= this.deps.clock.now()) throw new AppError('BAD_INPUT', `A report covers a finished period: ${toDay} has not ended yet (UTC).`);
    if (to - from > 3 * 366 * DAY_MS) throw new AppError('BAD_INPUT', 'A report covers at most three years.');
    return { from, to };
  }

  /** The report's numbers (also what the JSON file holds). */
  async numbers(fromDay: string, toDay: string): Promise<Soc2Report> {
    const period = this.period(fromDay, toDay);
    const mount = this.deps.mount();
    const client = this.client();
    if (client && this.deps.inventory) {
      try {
        await this.deps.inventory.sync();
      } catch (err) {
        // A sync already running (CONFLICT) or Vault away: the index as last synced is used and checked below.
        this.deps.log.warn(`soc2: inventory sync before the report failed (${err instanceof AppError ? err.code : 'error'})`);
      }
    }
    const idx = this.deps.queries.indexState();
    if (!idx || idx.mount !== mount) throw new AppError('CONFLICT', `The inventory index does not hold the "${mount}" mount yet: sync the tenants first (the rotation figures come from it).`);
    const schedules = client ? await this.schedules(client, mount) : DEFAULT_SCHEDULES;
    const range = { from: new Date(period.from).toISOString(), to: new Date(period.to).toISOString() };
    const settings = this.deps.audit.alertSettings();
    return collectSoc2({
      period,
      mount,
      vaultAddress: this.deps.vaultAddress(),
      access: this.deps.audit.repo.access,
      compliance: this.deps.queries,
      schedules,
      // First: while signed in, it reads back from Vault the approval records its log holds HMAC'd.
      alerts: await this.deps.audit.alerts(range, settings, 200),
      admins: client ? await adminIdentities(client, mount) : null,
      deletions: this.deletions(period, settings),
    });
  }

  private async schedules(client: VaultClient, mount: string): Promise<RotationSchedules> {
    try {
      return (await loadSchedules(new RotationVaultIo(client, mount), (m) => this.deps.log.warn(`soc2: ${m}`))).schedules;
    } catch {
      return DEFAULT_SCHEDULES;
    }
  }

  /**
   * Vault's record of the tenant-secret deletes in the period, each judged by the approval
   * ledger (audit/approval-ledger.ts) against Vault's log of the approvals mount: the same
   * rule as the "deletion without approval" alert. Deletes from one validity window
   * before the period take part, so an approval used before the period is not used again.
   */
  private deletions(period: { from: number; to: number }, s: AlertSettings): Soc2Inputs['deletions'] {
    const repo = this.deps.audit.repo;
    const from = period.from - s.approvalValidHours * 3_600_000;
    const deletes = repo.byAction('delete', from, period.to, DELETES_SCANNED, { tenantOnly: true }).filter((e) => e.status === 'ok');
    const verdicts = judgeDeletes(deletes, repo.approvalWrites(period.to, DELETES_SCANNED), { approverPolicy: s.approverPolicy, approvalValidHours: s.approvalValidHours });
    return deletes.filter((e) => e.ts >= period.from).map((e) => ({ id: e.id, ts: e.ts, path: e.path, user: e.user, approvalId: e.approvalId, verdict: verdicts.get(e.id) }));
  }

  /** The report as HTML, PDF and JSON in a signed evidence pack in the exports folder (or `dir`). */
  async soc2(fromDay: string, toDay: string, opts: { name?: string; dir?: string } = {}): Promise<Soc2Result> {
    const started = this.deps.clock.now();
    const report = await this.numbers(fromDay, toDay);
    const html = renderSoc2Html(report);
    const json = Buffer.from(`${JSON.stringify(report, null, 2)}\n`, 'utf8');
    const files: Array<{ name: string; bytes: Buffer }> = [
      { name: 'report.html', bytes: Buffer.from(html, 'utf8') },
      { name: 'report.json', bytes: json },
    ];
    let pdfNote: string | null = null;
    if (this.deps.pdf) files.push({ name: 'report.pdf', bytes: normalizePdfDates(await this.deps.pdf.print(html), new Date(report.period.to)) });
    else pdfNote = 'No PDF printer in this shell (the app prints with Electron; the CLI needs Chromium: VAULT_CONSOLE_CHROMIUM).';
    const period = this.period(fromDay, toDay);
    const name = (opts.name ?? '').trim() || `soc2-${fromDay}-${toDay}`;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/.test(name)) throw new AppError('BAD_INPUT', 'A pack name is 1-101 letters, digits and . _ - (no folders).');
    await mkdir(this.deps.exportDir, { recursive: true, mode: 0o700 });
    const dir = opts.dir ?? join(this.deps.exportDir, name.endsWith('.evidence') ? name : `${name}.evidence`);
    const access = this.deps.audit.repo.access;
    const events = function* (): Generator<StoredEvent[]> {
      // The detail tables' events, oldest first, in chunks.
      let from = period.from;
      let afterId = 0;
      for (;;) {
        const chunk = access.packEvents(SOC2_PACK_ACTIONS, { from, to: period.to }, afterId, 5000);
        if (chunk.length === 0) return;
        yield chunk;
        const last = chunk.at(-1)!;
        from = last.ts;
        afterId = last.id;
        if (chunk.length < 5000) return;
      }
    };
    const pack = await this.deps.evidence.writeSignedPack({
      dir,
      kind: 'soc2-report',
      createdAt: report.period.to,
      query: { report: 'soc2-secret-access', from: fromDay, to: toDay, mount: report.vault.mount, events: [...SOC2_PACK_ACTIONS] },
      range: { from: report.period.from, to: report.period.to },
      events: events(),
      files,
    });
    this.deps.log.info(`soc2 report ${fromDay}..${toDay}: pack ${name} (${pack.records} events) in ${((this.deps.clock.now() - started) / 1000).toFixed(1)} s`);
    return {
      pack,
      files: files.map((f) => ({ name: f.name, sha256: createHash('sha256').update(f.bytes).digest('hex'), bytes: f.bytes.length })).sort((a, b) => (a.name < b.name ? -1 : 1)),
      pdfNote,
      summary: {
        period: report.period,
        identities: report.secretAccess.totals.identities,
        reveals: report.secretAccess.totals.reveals,
        downloads: report.secretAccess.totals.downloads,
        rotationShareWithinSchedule: report.rotation.total.shareWithinSchedule,
        emergencyResets: report.emergencyResets.total,
        deletions: report.deletions.total,
        backupSuccessRate: report.backups.successRate,
        alerts: report.alerts.total,
      },
    };
  }
}
