// `vault-console evidence export|verify|pubkey`: an audit query as a signed, hash-chained
// evidence pack (the key lives in the OS keychain), offline verification of a pack that
// names the first broken record (exit 2 when it is not intact), and the public key to
// hand to auditors. verify needs neither Vault, nor the keychain, nor the local store.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AUDIT_ACTIONS, AUDIT_SECRET_TYPES } from '../../shared/contracts/audit';
import { AppError } from '../../shared/errors';
import { DATABASE_FILE } from '../services/container';
import { EvidenceService } from '../services/evidence/evidence-service';
import { verifyPack } from '../services/evidence/pack-verifier';
import { EvidenceSigningKey } from '../services/evidence/signing-key';
import { KeytarSecretStore } from '../services/keychain/keychain.keytar';
import { createLogger } from '../services/log/logger';
import { AuditRepo } from '../services/storage/audit-repo';
import { openDatabase } from '../services/storage/database';
import { systemClock } from '../services/time/clock';
import type { FlagSpecs } from './args';
import { auditFilterFromFlags } from './audit-filter-flags';
import { cliProfileSource } from './audit-source';
import type { Command } from './command';
import { EXIT, printJson, type CliIo } from './io';
import { dataDirOf } from './rotate-common';

const SUBCOMMANDS = ['export', 'verify', 'pubkey'] as const;

const FLAGS: FlagSpecs = {
  format: { type: 'string', description: 'table or json.', choices: ['table', 'json'] },
  'data-dir': { type: 'string', description: 'export: folder of the local store (default VAULT_CONSOLE_DATA_DIR or ~/.local/share/vault-console).' },
  out: { type: 'string', description: 'export: the pack folder to create; pubkey: the PEM file to write (default: print it).' },
  pubkey: { type: 'string', description: "verify: the signer's public key file (PEM) as handed over; without it only integrity is checked." },
  tenant: { type: 'string', description: 'export filter: tenant id.' },
  'secret-type': { type: 'string', description: 'export filter: secret type.', choices: AUDIT_SECRET_TYPES },
  action: { type: 'string', description: 'export filter: action.', choices: AUDIT_ACTIONS },
  user: { type: 'string', description: 'export filter: user.' },
  from: { type: 'string', description: 'export filter: from (ISO date or time).' },
  to: { type: 'string', description: 'export filter: to (ISO date or time).' },
  text: { type: 'string', description: 'export filter: free text.' },
};

const filterOf = auditFilterFromFlags;

export const evidenceCommand: Command = {
  name: 'evidence',
  summary: 'Tamper-evident evidence packs: export an audit query signed, verify a pack offline (exit 2 if broken), the public key.',
  usage: ['vault-console evidence export -out=DIR [filters as in "audit query"]  (read from the profile\'s audit source)', 'vault-console evidence verify PACK [-pubkey FILE] [-format=json]', 'vault-console evidence pubkey [-out=FILE]'].join('\n       '),
  flags: FLAGS,
  async run({ flags, positionals }, io: CliIo) {
    const [sub, ...rest] = positionals;
    if (!sub || !(SUBCOMMANDS as readonly string[]).includes(sub)) throw new AppError('BAD_INPUT', `evidence: expected one of ${SUBCOMMANDS.join(', ')} (see "vault-console help evidence")`);
    const json = flags.format === 'json';
    if (sub === 'verify') {
      if (rest.length !== 1) throw new AppError('BAD_INPUT', 'evidence verify: expected one PACK folder');
      let key: string | null = null;
      if (typeof flags.pubkey === 'string' && flags.pubkey !== '') {
        const p = resolve(flags.pubkey);
        const st = await stat(p).catch(() => null);
        if (!st?.isFile()) throw new AppError('NOT_FOUND', `evidence verify: cannot read the public key file ${JSON.stringify(flags.pubkey.slice(0, 80))}`);
        if (st.size > 64 * 1024) throw new AppError('BAD_INPUT', 'evidence verify: that is not a public key file (too large)');
        key = await readFile(p, 'utf8');
      }
      const r = await verifyPack(resolve(rest[0]!), key);
      // Not a pack at all: one error line, like every other failure.
      if (r.problem?.kind === 'unreadable' || r.problem?.kind === 'manifest') throw new AppError('BAD_INPUT', `evidence verify: ${r.problem.message}`);
      const mb = r.bytes / 1e6;
      if (json) {
        const { manifest: _m, ...out } = r;
        printJson(io, out);
      } else if (r.ok) {
        io.stdout.write(`INTACT  ${r.records} record(s), ${r.kind}, chain and files as signed; signed by ${r.fingerprint}${r.signerChecked ? ' (the key given)' : ' (the pack\'s own key: NOT checked against a trusted key; pass -pubkey)'}\n`);
      } else {
        io.stdout.write(`BROKEN  ${r.problem!.message}\n`);
        for (const p of r.problems.slice(1)) io.stdout.write(`        ${p.message}\n`);
      }
      io.stderr.write(`[evidence] verified ${mb.toFixed(1)} MB in ${r.seconds.toFixed(2)} s\n`);
      // 2: it worked, and the answer is "not intact" (the Vault CLI's convention).
      return r.ok ? EXIT.ok : 2;
    }
    const store = new KeytarSecretStore({ env: io.env });
    const key = new EvidenceSigningKey(store);
    if (sub === 'pubkey') {
      if (rest.length > 0) throw new AppError('BAD_INPUT', 'evidence pubkey: takes no argument');
      const k = await key.key();
      if (typeof flags.out === 'string' && flags.out !== '') {
        await writeFile(resolve(flags.out), k.publicKeyPem, { mode: 0o644 });
        io.stderr.write(`[evidence] public key written to ${resolve(flags.out)}\n`);
      } else io.stdout.write(k.publicKeyPem);
      if (json) printJson(io, { fingerprint: k.fingerprint });
      else io.stdout.write(`Fingerprint: ${k.fingerprint}\n`);
      return EXIT.ok;
    }
    if (rest.length > 0) throw new AppError('BAD_INPUT', 'evidence export: unexpected argument');
    if (typeof flags.out !== 'string' || flags.out === '') throw new AppError('BAD_INPUT', 'evidence export: -out=DIR is required (the pack folder to create)');
    const dataDir = dataDirOf(io, flags);
    const db = openDatabase(join(dataDir, DATABASE_FILE));
    const repo = new AuditRepo(db);
    // The events come from the active profile's audit source, as "audit query" reads them.
    const profile = cliProfileSource(io, db, repo);
    try {
      const service = new EvidenceService({ repo, source: profile.source, key, clock: systemClock, log: createLogger('evidence'), exportDir: join(dataDir, 'exports') });
      const r = await service.exportQuery(filterOf(flags), { dir: flags.out });
      if (json) printJson(io, r);
      else io.stdout.write(`${r.dir}\n`);
      io.stderr.write(`[evidence] ${r.records} events from ${r.source}, ${r.bytes} bytes, chain head ${r.chainHead}, signed by ${r.fingerprint}\n`);
      return EXIT.ok;
    } finally {
      profile.close();
      db.close();
    }
  },
};
