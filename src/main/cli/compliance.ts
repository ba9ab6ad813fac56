// `vault-console compliance soc2 -from=DAY -to=DAY -out=DIR`: the SOC 2 secret-access
// report of a finished period as HTML, PDF (headless Chromium: VAULT_CONSOLE_CHROMIUM or
// the usual places) and JSON in a signed evidence pack. Reads the local store (audit
// events, the inventory index, the backup catalog); with a Vault session (VAULT_TOKEN or
// "vault-console login") it refreshes the index first and adds what only Vault knows
// (identities with admin policies, deletion approvals, the shared schedules).
import { join, resolve } from 'node:path';
import { AppError } from '../../shared/errors';
import { AuditService } from '../services/audit/audit-service';
import { ChromiumPdfPrinter, findChromium } from '../services/compliance/chromium-pdf';
import { ComplianceService } from '../services/compliance/compliance-service';
import { DATABASE_FILE } from '../services/container';
import { EvidenceService } from '../services/evidence/evidence-service';
import { EvidenceSigningKey } from '../services/evidence/signing-key';
import { InventoryService } from '../services/inventory/inventory-service';
import { KeytarSecretStore } from '../services/keychain/keychain.keytar';
import { createLogger } from '../services/log/logger';
import type { SessionInfo } from '../services/session/session-types';
import { ComplianceQueries } from '../services/storage/compliance-queries';
import { openDatabase } from '../services/storage/database';
import { InventoryRepo } from '../services/storage/inventory-repo';
import { SettingsRepo } from '../services/storage/settings-repo';
import { systemClock } from '../services/time/clock';
import { COMMON_FLAGS } from './args';
import { cliProfileSource } from './audit-source';
import { connectionFor, openCliSession } from './cli-session';
import type { Command } from './command';
import { EXIT, printJson, printKeyValue } from './io';
import { dataDirOf, ROTATE_COMMON_FLAGS } from './rotate-common';

export const complianceCommand: Command = {
  name: 'compliance',
  summary: 'SOC 2 secret-access report for a finished period: HTML, PDF and JSON in a signed evidence pack.',
  usage: 'vault-console compliance soc2 -from=YYYY-MM-DD -to=YYYY-MM-DD [-out=DIR] [-data-dir=DIR] [-mount=M] [-no-pdf] [-format=table|json]',
  flags: {
    ...COMMON_FLAGS,
    ...ROTATE_COMMON_FLAGS,
    from: { type: 'string', description: 'First day of the period (UTC).' },
    to: { type: 'string', description: 'Last day of the period (UTC); it must have ended.' },
    out: { type: 'string', description: 'The pack folder to create (default <data-dir>/exports/soc2-<from>-<to>.evidence).' },
    'no-pdf': { type: 'bool', description: 'Skip the PDF (no Chromium on this host).' },
  },
  async run({ flags, positionals }, io) {
    if (positionals[0] !== 'soc2' || positionals.length !== 1) throw new AppError('BAD_INPUT', 'compliance: expected "soc2" (see "vault-console help compliance")');
    if (typeof flags.from !== 'string' || typeof flags.to !== 'string') throw new AppError('BAD_INPUT', 'compliance soc2: -from=YYYY-MM-DD and -to=YYYY-MM-DD are required');
    const conn = connectionFor(io, flags);
    const mount = (typeof flags.mount === 'string' && flags.mount !== '' ? flags.mount : conn.kvMount).replace(/^\/+|\/+$/g, '');
    const dataDir = dataDirOf(io, flags);
    let pdf: ChromiumPdfPrinter | null = null;
    if (flags['no-pdf'] !== true) {
      const bin = findChromium(io.env);
      if (!bin) throw new AppError('NOT_FOUND', 'compliance soc2: no Chromium for the PDF (set VAULT_CONSOLE_CHROMIUM, or pass -no-pdf)');
      pdf = new ChromiumPdfPrinter(bin);
    }
    const cli = await openCliSession(io, conn);
    const db = openDatabase(join(dataDir, DATABASE_FILE));
    const info: SessionInfo = { signedIn: false, profileId: 'cli', address: conn.address, method: null, displayName: 'cli', username: 'cli', entityId: null, policies: [], expiresAt: null, renewable: false, expiringSoon: false, problem: null };
    const log = { info: () => undefined, warn: (m: string) => io.stderr.write(`[compliance] ${m}\n`), error: (m: string) => io.stderr.write(`[compliance] ${m}\n`), debug: () => undefined };
    const audit = new AuditService({
      db,
      settings: new SettingsRepo(db),
      clock: systemClock,
      log: createLogger('audit'),
      dataDir,
      session: { info: () => info, requireClient: () => cli.session.requireClient() },
      kvMount: () => mount,
    });
    const profile = cliProfileSource(io, db, audit.repo);
    try {
      const signedIn = cli.source !== null;
      // The report and its pack are built from the local store (its index of accesses); the
      // manifest says so. Said here too when this profile's Audit view reads elsewhere.
      const viewSource = profile.source();
      if (viewSource.kind !== 'local') io.stderr.write(`[compliance] the report reads the local store; this profile's Audit view reads ${viewSource.label}\n`);
      const evidence = new EvidenceService({ repo: audit.repo, source: profile.source, key: new EvidenceSigningKey(new KeytarSecretStore({ env: io.env })), clock: systemClock, log: createLogger('evidence'), exportDir: join(dataDir, 'exports') });
      const service = new ComplianceService({
        audit,
        queries: new ComplianceQueries(db),
        evidence,
        ...(signedIn ? { inventory: new InventoryService({ repo: new InventoryRepo(db), clock: systemClock, client: () => cli.session.requireClient(), mount: () => mount, logger: log }), session: cli.session } : {}),
        mount: () => mount,
        vaultAddress: () => conn.address,
        clock: systemClock,
        log,
        exportDir: join(dataDir, 'exports'),
        pdf,
      });
      if (!signedIn) io.stderr.write('[compliance] no Vault session: admin identities and approvals come from the audit trail only; the inventory index is used as last synced\n');
      const r = await service.soc2(flags.from, flags.to, typeof flags.out === 'string' && flags.out !== '' ? { dir: resolve(flags.out) } : {});
      if (flags.format === 'json') printJson(io, r);
      else {
        printKeyValue(io, [
          ['Pack', r.pack.dir],
          ['Files', r.files.map((f) => f.name).join(', ')],
          ['Events in pack', String(r.pack.records)],
          ['Signed by', r.pack.fingerprint],
          ['Identities that read secrets', String(r.summary.identities)],
          ['Reveals / downloads', `${r.summary.reveals} / ${r.summary.downloads}`],
          ['Within rotation schedule', r.summary.rotationShareWithinSchedule === null ? 'n/a' : `${(r.summary.rotationShareWithinSchedule * 100).toFixed(1)} %`],
          ['Emergency resets', String(r.summary.emergencyResets)],
          ['Deletions', String(r.summary.deletions)],
          ['Backup success rate', r.summary.backupSuccessRate === null ? 'n/a' : `${(r.summary.backupSuccessRate * 100).toFixed(1)} %`],
          ['Alerts', String(r.summary.alerts)],
        ]);
        if (r.pdfNote) io.stderr.write(`[compliance] ${r.pdfNote}\n`);
      }
      return EXIT.ok;
    } finally {
      profile.close();
      await audit.dispose();
      db.close();
      cli.dispose();
    }
  },
};
