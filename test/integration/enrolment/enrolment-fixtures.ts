// Shared by the enrolment, reveal and end-to-end tests: a second factor enrolled the only
// way the console allows, through a grant by another admin and a valid code from the new
// authenticator, with the real services (OpenBao, Vault's TOTP engine, otplib + oathtool).
import { randomBytes } from 'node:crypto';
import { connectionFromEnv } from '../../../src/main/services/config/app-config';
import { EnrolmentService, type EnrolmentAudit } from '../../../src/main/services/enrolment/enrolment-service';
import { keyName } from '../../../src/main/services/enrolment/enrolment-paths';
import { MemorySecretStore } from '../../../src/main/services/keychain/memory-secret-store';
import { SessionService } from '../../../src/main/services/session/session-service';
import { systemClock } from '../../../src/main/services/time/clock';
import { CodeSource, createRevealUser, rootCaller, secretOf } from '../reveal/reveal-fixtures';

export interface Account {
  username: string;
  password: string;
}

/** Audit records go nowhere here; the enrolment tests check the real recorder. */
export const noEnrolmentAudit: EnrolmentAudit = { begin: () => ({ headers: {}, finish: () => undefined }) };

export async function signedIn(addr: string, kvMount: string, who: Account): Promise<{ session: SessionService; enrolment: EnrolmentService }> {
  const conn = connectionFromEnv({ VAULT_ADDR: addr, VAULT_CONSOLE_KV_MOUNT: kvMount });
  const session = new SessionService({ store: new MemorySecretStore(), clock: systemClock }, conn, `p-${randomBytes(3).toString('hex')}`);
  await session.loginUserpass(who.username, who.password);
  return { session, enrolment: new EnrolmentService({ session, kvMount: () => kvMount, clock: systemClock, audit: noEnrolmentAudit }) };
}

/**
 * Enrols `grantee`: a throwaway admin (or `granter`) grants, the grantee opens the grant and
 * confirms a code. Returns the code source of the new authenticator and the key's name.
 */
export async function enrolThroughGrant(opts: { addr: string; rootToken: string; kvMount: string; grantee: Account; granter?: Account }): Promise<{ codes: CodeSource; grantId: string; keyName: string; granter: Account }> {
  const granter = opts.granter ?? (await createRevealUser(rootCaller(opts.addr, opts.rootToken), 'granter'));
  // The grantee signs in first: their Vault identity exists from their first sign-in.
  const a = await signedIn(opts.addr, opts.kvMount, opts.grantee);
  const b = await signedIn(opts.addr, opts.kvMount, granter);
  try {
    const g = await b.enrolment.grant(opts.grantee.username, 60);
    const status = await a.enrolment.status();
    const mine = status.grants.find((x) => x.grantId === g.grantId)!;
    const start = await a.enrolment.begin(mine.granterEntityId);
    const codes = new CodeSource(secretOf(start.otpauthUrl));
    await a.enrolment.confirm(g.grantId, await codes.valid());
    return { codes, grantId: g.grantId, keyName: keyName(status.entityId!, g.grantId), granter };
  } finally {
    await a.session.logout();
    await b.session.logout();
  }
}
