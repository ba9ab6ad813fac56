// What `rotate` and `emergency-reset` share: the Vault session (VAULT_TOKEN or the
// keychain login), the local database (the same file as the app's when -data-dir or
// VAULT_CONSOLE_DATA_DIR points at it: jobs started here resume there and back), and
// the RotationService built on them.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RotationResult } from '../../shared/contracts/rotation';
import { DATABASE_FILE } from '../services/container';
import { RotationService } from '../services/rotation/rotation-service';
import type { RotationAudit } from '../services/rotation/rotator';
import type { Session } from '../services/session/session-types';
import { openDatabase, type SqlDatabase } from '../services/storage/database';
import { InventoryRepo } from '../services/storage/inventory-repo';
import { RotationRepo } from '../services/storage/rotation-repo';
import { systemClock } from '../services/time/clock';
import type { FlagSpecs, FlagValues } from './args';
import { connectionFor, openSignedInCli } from './cli-session';
import type { CliIo } from './io';

export const ROTATE_COMMON_FLAGS: FlagSpecs = {
  mount: { type: 'string', description: 'KV v2 mount (default VAULT_CONSOLE_KV_MOUNT or "tenants").' },
  'data-dir': { type: 'string', description: 'Folder of the local database with the jobs (default VAULT_CONSOLE_DATA_DIR or ~/.local/share/vault-console).' },
};

export function dataDirOf(io: CliIo, flags: FlagValues): string {
  if (typeof flags['data-dir'] === 'string' && flags['data-dir'] !== '') return flags['data-dir'];
  if (io.env.VAULT_CONSOLE_DATA_DIR) return io.env.VAULT_CONSOLE_DATA_DIR;
  return join(io.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'vault-console');
}

export interface CliRotation {
  service: RotationService;
  db: SqlDatabase;
  /** Who rotates, as Vault knows the token. */
  actor: string;
  /** The session (signed in) the service uses. */
  session: Session;
  mount: string;
  close(): void;
}

export async function openCliRotation(io: CliIo, flags: FlagValues, opts: { concurrency?: number; audit?: (db: SqlDatabase, actor: string) => RotationAudit } = {}): Promise<CliRotation> {
  const conn = connectionFor(io, flags);
  const mount = (typeof flags.mount === 'string' && flags.mount !== '' ? flags.mount : conn.kvMount).replace(/^\/+|\/+$/g, '');
  const { cli, client, actor } = await openSignedInCli(io, conn);
  const db = openDatabase(join(dataDirOf(io, flags), DATABASE_FILE));
  const index = new InventoryRepo(db);
  const service = new RotationService({
    repo: new RotationRepo(db),
    clock: systemClock,
    client: () => client,
    mount: () => mount,
    actor: () => `${actor} (cli)`,
    // The same cluster id as the app's (container.ts), so a job resumes only against its own Vault.
    cluster: () => `${conn.address}|${conn.namespace ?? ''}`,
    index: { repo: index, usable: (m) => index.indexedMount() === m && index.lastDone(m) !== undefined },
    ...(opts.concurrency ? { defaultConcurrency: opts.concurrency } : {}),
    // The console's audit trail (and the audited header on each Vault write), when the command keeps one.
    ...(opts.audit ? { audit: opts.audit(db, `${actor} (cli)`) } : {}),
    logger: { info: () => undefined, warn: (m) => io.stderr.write(`[rotation] ${m}\n`), error: (m) => io.stderr.write(`[rotation] ${m}\n`), debug: () => undefined },
  });
  return {
    service,
    db,
    actor: `${actor} (cli)`,
    session: cli.session,
    mount,
    close() {
      cli.dispose();
      db.close();
    },
  };
}

export function resultRows(r: RotationResult): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['Path', r.path],
    ['Version', `${r.previousVersion} -> ${r.version}`],
    ['Rotated at', r.rotatedAt],
    ['Rotated by', r.rotatedBy],
    ['Next rotation', r.nextRotation],
    ['Grace until', r.graceUntil ?? (r.emergency ? 'none (emergency reset: the old credential is invalid now)' : 'none')],
  ];
  if (r.fingerprint) rows.push(['Fingerprint', r.fingerprint]);
  if (r.previousFingerprint) rows.push(['Previous fingerprint (valid during grace)', r.previousFingerprint]);
  if (r.selector) rows.push(['Selector', r.selector]);
  for (const d of r.dnsRecords) rows.push([`DNS TXT ${d.name}`, d.value]);
  if (r.prefix) rows.push(['Prefix', r.prefix]);
  return rows;
}
