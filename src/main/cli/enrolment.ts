// `vault-console enrolment grant <username> | status`: second-factor enrolment from a
// terminal (docs/enrolment.md). Granting needs your own Vault identity (a userpass login,
// `vault-console login`); the person you grant opens the grant in the console, where the
// QR code is shown and a code from their new authenticator makes it active.
import { join } from 'node:path';
import { GRANT_MINUTES } from '../../shared/enrolment-rules';
import { AppError } from '../../shared/errors';
import { AuditRecorder } from '../services/audit/audit-recorder';
import { DATABASE_FILE } from '../services/container';
import { EnrolmentService } from '../services/enrolment/enrolment-service';
import { AuditRepo } from '../services/storage/audit-repo';
import { openDatabase } from '../services/storage/database';
import { systemClock } from '../services/time/clock';
import { COMMON_FLAGS } from './args';
import { connectionFor, openCliSession } from './cli-session';
import type { Command } from './command';
import { EXIT, printJson, printKeyValue } from './io';
import { dataDirOf, ROTATE_COMMON_FLAGS } from './rotate-common';

/** "90m", "24h", "3d" or minutes. */
export function parseValidity(v: string): number {
  const m = /^(\d{1,5})([mhd]?)$/.exec(v.trim());
  if (!m) throw new AppError('BAD_INPUT', `enrolment grant: -valid must look like 90m, 24h or 3d, not ${JSON.stringify(v.slice(0, 20))}`);
  const n = Number(m[1]) * (m[2] === 'h' ? 60 : m[2] === 'd' ? 1440 : 1);
  if (n < GRANT_MINUTES.min || n > GRANT_MINUTES.max) throw new AppError('BAD_INPUT', `enrolment grant: -valid must be from ${GRANT_MINUTES.min}m to ${GRANT_MINUTES.max / 60}h`);
  return n;
}

export const enrolmentCommand: Command = {
  name: 'enrolment',
  summary: 'Second factor: grant another admin an enrolment, or show your own.',
  usage: 'vault-console enrolment grant <username> [-valid=24h] | enrolment status  [-format=table|json] [-data-dir=DIR]',
  flags: {
    ...COMMON_FLAGS,
    valid: { type: 'string', description: 'grant: how long the grant may be opened (15m to 72h; default 24h).' },
    'data-dir': ROTATE_COMMON_FLAGS['data-dir']!,
  },
  async run({ flags, positionals }, io) {
    const [sub, ...args] = positionals;
    if (sub !== 'grant' && sub !== 'status') throw new AppError('BAD_INPUT', 'enrolment: expected grant or status (see "vault-console help enrolment")');
    if (sub === 'grant' && args.length !== 1) throw new AppError('BAD_INPUT', 'enrolment grant: name the admin to grant, e.g. "enrolment grant alice"');
    if (sub === 'status' && args.length > 0) throw new AppError('BAD_INPUT', 'enrolment status: takes no arguments');
    const minutes = typeof flags.valid === 'string' ? parseValidity(flags.valid) : GRANT_MINUTES.default;
    const conn = connectionFor(io, flags);
    const cli = await openCliSession(io, conn);
    if (!cli.source) {
      cli.dispose();
      throw new AppError('UNAUTHENTICATED', `not signed in: run "vault-console login" (a grant needs your Vault identity)${cli.problem ? ` (${cli.problem})` : ''}`);
    }
    // The console's own record goes to the same local audit trail as the app's.
    const db = openDatabase(join(dataDirOf(io, flags), DATABASE_FILE));
    try {
      const recorder = new AuditRecorder(new AuditRepo(db), systemClock, () => ({ user: `${cli.session.info().username ?? cli.session.info().displayName} (cli)` }));
      const service = new EnrolmentService({
        session: cli.session,
        kvMount: () => conn.kvMount,
        clock: systemClock,
        audit: {
          begin(action, path) {
            const tag = recorder.begin(action, { path });
            return { headers: tag.headers, finish: (status, error) => recorder.finish(tag, status, error) };
          },
        },
        log: { info: () => undefined, warn: (m) => io.stderr.write(`[enrolment] ${m}\n`), error: (m) => io.stderr.write(`[enrolment] ${m}\n`), debug: () => undefined },
      });
      if (sub === 'grant') {
        const r = await service.grant(args[0]!, minutes);
        if (flags.format === 'json') printJson(io, { grant_id: r.grantId, username: r.username, expires_at: r.expiresAt });
        else io.stdout.write(`Granted a second-factor enrolment to ${r.username} until ${r.expiresAt}. They open it in the console (Two-factor); it opens once.\n`);
        return EXIT.ok;
      }
      const st = await service.status();
      if (flags.format === 'json') {
        printJson(io, st);
        return EXIT.ok;
      }
      if (!st.available) throw new AppError('PERMISSION_DENIED', st.reason ?? 'enrolment is not available for this session');
      printKeyValue(io, [
        ['user', st.username ?? '-'],
        ['second factor', st.active ? `active (granted by ${st.active.grantedBy}, activated ${st.active.activatedAt})` : 'not set up'],
        ...st.grants.map((g): [string, string] => [`grant ${g.grantId}`, `from ${g.grantedBy}${g.grantedByVerified ? '' : ' (unverified)'}, ${g.state}, expires ${g.expiresAt}`]),
      ]);
      return EXIT.ok;
    } finally {
      db.close();
      cli.dispose();
    }
  },
};
