// Second-factor enrolment that a phished password cannot do (docs/enrolment.md).
//
//  grant   (admin B, for admin A)  B's console creates A's new 2FA key in Vault's TOTP engine
//          with a response-wrapping TTL (the policy refuses it unwrapped), so Vault hands B a
//          single-use wrapping token instead of the seed, and writes it to
//          grants/<A>/<B>: a path only B may write (policy), only A may read.
//  begin   (A)  reads the grant, checks that it wraps the creation of A's own key
//          (sys/wrapping/lookup creation_path), unwraps it once: the QR code to scan.
//  confirm (A)  a code from the new authenticator, validated by Vault; only then does the new
//          key become A's active one (active/<A>). Until then the old key (if any) stays.
//
// Vault enforces what matters: nobody may create or replace their own key, nor write a
// grant for themselves (policy templated on {{identity.entity.id}}); the grant expires
// (wrap TTL) and opens once (unwrap). The console also refuses to enrol where the
// policies would let a person make their own key, and names the granting admin from
// Vault's identity store, never from what the grant says.
import { randomBytes } from 'node:crypto';
import type { EnrolmentStart, EnrolmentStatus } from '../../../shared/contracts/enrolment';
import { GRANT_MINUTES } from '../../../shared/enrolment-rules';
import { AppError } from '../../../shared/errors';
import type { Logger } from '../log/logger';
import { createLogger } from '../log/logger';
import type { Session } from '../session/session-types';
import type { Clock } from '../time/clock';
import type { VaultClient } from '../vault/vault-client';
import { readActiveRecord, type ActiveRecord } from './active-key';
import { enrolmentPaths, isEntityId, isGrantId, isKeyOf, keyName, TOTP_ISSUER } from './enrolment-paths';

const USERNAME_RE = /^[A-Za-z0-9._@-]{1,128}$/;
const CODE_RE = /^\d{6}$/;
const WRAP_HEADER = 'X-Vault-Wrap-TTL';

/** The console's audit trail for enrolment: a record and the audited header on the Vault requests. */
export interface EnrolmentAudit {
  begin(action: 'enrol-grant' | 'enrol', path: string): { headers: Record<string, string>; finish(status: 'ok' | 'denied' | 'error' | 'pending', error?: string): void };
}

/** Checks exact paths with sys/capabilities-self before writing (session/capabilities.ts). */
export interface EnrolmentGuard {
  requireNeeds(label: string, needs: Array<{ path: string; caps: Array<'create' | 'update' | 'read'> }>): Promise<void>;
}

export interface EnrolmentDeps {
  session: Session;
  kvMount: () => string;
  clock: Clock;
  audit: EnrolmentAudit;
  guard?: EnrolmentGuard;
  log?: Logger;
}

/** What a grant record holds (written by the granting admin; only the grantee may read it). */
interface GrantRecord {
  grant_id: string;
  key_name: string;
  wrap_token: string;
  grantee_entity: string;
  grantee_name: string;
  granter_entity: string;
  granter_name: string;
  created_at: string;
  expires_at: string;
}

interface Me {
  client: VaultClient;
  entityId: string;
  username: string | null;
}

export class EnrolmentService {
  private readonly log: Logger;
  /**
   * Grants this console opened (unwrapped) and not confirmed yet: grant id -> the identity it
   * was opened for. Only these can be confirmed. A grant's record and key stay in Vault after
   * it was used (nobody may delete their own key), so without this a replaced factor (the
   * lost phone a re-enrolment was for) could be made active again with one code from it.
   */
  private readonly opened = new Map<string, string>();

  constructor(private readonly deps: EnrolmentDeps) {
    this.log = deps.log ?? createLogger('enrolment');
  }

  private now(): Date {
    return new Date(this.deps.clock.now());
  }

  /** Who is signed in, as Vault says (lookup-self), never as the session remembers it. */
  private async me(): Promise<Me> {
    const client = this.deps.session.requireClient();
    const self = await client.request<{ data?: { entity_id?: string; meta?: Record<string, string> | null; display_name?: string } }>('GET', 'auth/token/lookup-self');
    const entityId = self?.data?.entity_id ?? '';
    if (!isEntityId(entityId)) {
      throw new AppError('PERMISSION_DENIED', 'A second factor belongs to a Vault identity: sign in with your username and password (this token has none).');
    }
    return { client, entityId, username: self.data?.meta?.username ?? null };
  }

  async status(): Promise<EnrolmentStatus> {
    const info = this.deps.session.info();
    const none = { username: info.username, entityId: null, active: null, grants: [] };
    if (!info.signedIn) return { ...none, available: false, reason: 'Sign in to Vault first.' };
    let me: Me;
    try {
      me = await this.me();
    } catch (err) {
      if (err instanceof AppError && err.code === 'PERMISSION_DENIED') return { ...none, available: false, reason: err.message };
      throw err;
    }
    const m = this.deps.kvMount();
    let active: ActiveRecord | null;
    try {
      active = await readActiveRecord(me.client, m, me.entityId);
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'PERMISSION_DENIED')) throw err;
      // An auditor's policies: no second factor, because no credential to view.
      const path = enrolmentPaths.active(m, me.entityId);
      return { ...none, entityId: me.entityId, available: false, reason: `Your policies have no second factor (they do not grant read on ${path}): only admins who view credentials need one.` };
    }
    const activeExists = active ? await this.keyExists(me.client, active.key_name) : false;
    const grants: EnrolmentStatus['grants'] = [];
    for (const granter of await this.granters(me)) {
      const g = await this.readGrant(me, granter).catch(() => null);
      if (!g) continue;
      const name = await this.nameOf(me.client, granter);
      const state = active && activeExists && active.grant_id === g.grant_id ? 'active' : await this.grantState(me.client, g);
      grants.push({
        grantId: g.grant_id,
        granterEntityId: granter,
        grantedBy: name ?? g.granter_name,
        grantedByVerified: name !== null,
        createdAt: g.created_at,
        expiresAt: g.expires_at,
        state,
      });
    }
    grants.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return {
      available: true,
      reason: null,
      username: me.username ?? info.username,
      entityId: me.entityId,
      active: active && activeExists ? { grantId: active.grant_id, grantedBy: active.granted_by, activatedAt: active.activated_at } : null,
      grants,
    };
  }

  /** Grant another admin a second-factor enrolment, valid for `validMinutes`. */
  async grant(username: string, validMinutes: number = GRANT_MINUTES.default): Promise<{ grantId: string; username: string; expiresAt: string }> {
    if (!USERNAME_RE.test(username)) throw new AppError('BAD_INPUT', 'Username: 1-128 letters, digits, . _ @ or -.');
    if (!Number.isInteger(validMinutes) || validMinutes < GRANT_MINUTES.min || validMinutes > GRANT_MINUTES.max) {
      throw new AppError('BAD_INPUT', `A grant is valid for ${GRANT_MINUTES.min} minutes to ${GRANT_MINUTES.max / 60} hours.`);
    }
    const me = await this.me();
    const grantee = await this.lookupUser(me, username);
    // Four eyes: Vault's policy refuses it too; say so before asking.
    if (grantee.entityId === me.entityId) throw new AppError('PERMISSION_DENIED', 'A second factor is granted by another admin: you cannot grant one to yourself.');
    const m = this.deps.kvMount();
    const grantId = `g${randomBytes(6).toString('hex')}`;
    const key = keyName(grantee.entityId, grantId);
    const grantPath = enrolmentPaths.grant(m, grantee.entityId, me.entityId);
    await this.deps.guard?.requireNeeds('Grant a 2FA enrolment', [
      { path: enrolmentPaths.key(key), caps: ['create'] },
      { path: grantPath, caps: ['create', 'update'] },
    ]);
    const created = this.now();
    const expires = new Date(created.getTime() + validMinutes * 60_000);
    const tag = this.deps.audit.begin('enrol-grant', `enrolment/${grantee.name}`);
    try {
      const res = await me.client.request<{ wrap_info?: { token?: string; creation_path?: string; ttl?: number }; data?: unknown }>(
        'POST',
        enrolmentPaths.key(key),
        { generate: true, exported: true, issuer: TOTP_ISSUER, account_name: grantee.name, period: 30, digits: 6, algorithm: 'SHA1' },
        { headers: { ...tag.headers, [WRAP_HEADER]: `${validMinutes * 60}s` } },
      );
      const wrap = res?.wrap_info;
      // Never hold the seed here: only a wrapped answer is a grant.
      if (!wrap?.token || wrap.creation_path !== enrolmentPaths.key(key)) {
        throw new AppError('VAULT_ERROR', 'Vault did not wrap the new 2FA key; no grant was recorded (check that the policy demands wrapping, docs/enrolment.md).');
      }
      const record: GrantRecord = {
        grant_id: grantId,
        key_name: key,
        wrap_token: wrap.token,
        grantee_entity: grantee.entityId,
        grantee_name: grantee.name,
        granter_entity: me.entityId,
        granter_name: me.username ?? this.deps.session.info().displayName,
        created_at: created.toISOString(),
        expires_at: expires.toISOString(),
      };
      await me.client.request('POST', grantPath, { data: record }, { headers: tag.headers });
    } catch (err) {
      tag.finish(err instanceof AppError && err.code === 'PERMISSION_DENIED' ? 'denied' : 'error', err instanceof AppError ? err.message : 'grant failed');
      throw err;
    }
    tag.finish('ok');
    this.log.info(`2FA enrolment granted to ${grantee.name} (${grantId}), valid until ${expires.toISOString()}`);
    return { grantId, username: grantee.name, expiresAt: expires.toISOString() };
  }

  /** Opens (once) the grant another admin made for you: the new key's QR code. */
  async begin(granterEntityId: string): Promise<EnrolmentStart> {
    if (!isEntityId(granterEntityId)) throw new AppError('BAD_INPUT', 'Not a Vault identity (entity) id.');
    const me = await this.me();
    if (granterEntityId === me.entityId) throw new AppError('PERMISSION_DENIED', 'A grant you made yourself is never accepted.');
    await this.refuseSelfMadeFactors(me);
    const g = await this.readGrant(me, granterEntityId);
    if (!g) throw new AppError('NOT_FOUND', 'No enrolment grant from that admin; ask them to grant one.');
    // What Vault says the wrapping token holds: the creation of exactly this identity's key.
    let lookup: { data?: { creation_path?: string } };
    try {
      lookup = await me.client.request('POST', 'sys/wrapping/lookup', { token: g.wrap_token });
    } catch (err) {
      throw this.spentGrant(err, g);
    }
    if (lookup?.data?.creation_path !== enrolmentPaths.key(g.key_name)) {
      throw new AppError('PERMISSION_DENIED', 'This grant does not hold a 2FA key made for you; it was not opened. Tell the granting admin.');
    }
    const name = (await this.nameOf(me.client, granterEntityId)) ?? g.granter_name;
    const tag = this.deps.audit.begin('enrol', `enrolment/${me.username ?? g.grantee_name}`);
    let key: { data?: { url?: string; barcode?: string } };
    try {
      key = await me.client.request('POST', 'sys/wrapping/unwrap', { token: g.wrap_token }, { headers: tag.headers });
    } catch (err) {
      tag.finish('denied', 'grant already opened or expired');
      throw this.spentGrant(err, g);
    }
    const url = key?.data?.url;
    const barcode = key?.data?.barcode;
    if (typeof url !== 'string' || !url.startsWith('otpauth://totp/') || typeof barcode !== 'string') {
      tag.finish('error', 'unexpected key shape');
      throw new AppError('VAULT_ERROR', 'The grant did not hold a TOTP key.');
    }
    // Opened: the factor is not active until a code from the new authenticator is confirmed.
    this.opened.set(g.grant_id, me.entityId);
    tag.finish('pending');
    this.log.info(`2FA enrolment grant ${g.grant_id} opened; waiting for a code from the new authenticator`);
    return { grantId: g.grant_id, grantedBy: name, issuer: TOTP_ISSUER, account: g.grantee_name, otpauthUrl: url, qrPngBase64: barcode };
  }

  /** Activates the key of an opened grant once Vault accepts a code from it. */
  async confirm(grantId: string, code: string): Promise<EnrolmentStatus> {
    if (!isGrantId(grantId)) throw new AppError('BAD_INPUT', 'Not an enrolment grant id.');
    if (!CODE_RE.test(code)) throw new AppError('BAD_INPUT', 'Enter the 6-digit code from your authenticator app.');
    const me = await this.me();
    await this.refuseSelfMadeFactors(me);
    const key = keyName(me.entityId, grantId);
    let grant: GrantRecord | null = null;
    let granter = '';
    for (const id of await this.granters(me)) {
      const g = await this.readGrant(me, id).catch(() => null);
      if (g?.grant_id === grantId) {
        grant = g;
        granter = id;
        break;
      }
    }
    if (!grant) throw new AppError('NOT_FOUND', 'No enrolment grant with that id was made for you.');
    // Only the grant whose QR code this console just showed: never an older grant's key
    // (a replaced factor), nor one opened elsewhere.
    if (this.opened.get(grantId) !== me.entityId) {
      throw new AppError(
        'CONFLICT',
        'This grant was not opened here, or its factor was already confirmed: a second factor becomes active only with a code right after its QR code was shown in this console. Ask another admin for a new grant.',
      );
    }
    const tag = this.deps.audit.begin('enrol', `enrolment/${me.username ?? grant.grantee_name}`);
    try {
      await this.validate(me.client, key, code, tag.headers);
      const record: ActiveRecord = {
        key_name: key,
        grant_id: grantId,
        granter_entity: granter,
        granted_by: (await this.nameOf(me.client, granter)) ?? grant.granter_name,
        activated_at: this.now().toISOString(),
      };
      await me.client.request('POST', enrolmentPaths.active(this.deps.kvMount(), me.entityId), { data: record }, { headers: tag.headers });
    } catch (err) {
      tag.finish(err instanceof AppError && (err.code === 'UNAUTHENTICATED' || err.code === 'PERMISSION_DENIED') ? 'denied' : 'error', err instanceof AppError ? err.message : 'confirm failed');
      throw err;
    }
    this.opened.delete(grantId);
    tag.finish('ok');
    this.log.info(`2FA key of grant ${grantId} is now active`);
    return this.status();
  }

  // ---- helpers ------------------------------------------------------------------------

  private async validate(client: VaultClient, key: string, code: string, headers: Record<string, string>): Promise<void> {
    let valid = false;
    try {
      const res = await client.request<{ data?: { valid?: boolean } }>('POST', enrolmentPaths.code(key), { code }, { headers });
      valid = res?.data?.valid === true;
    } catch (err) {
      if (err instanceof AppError && /already used/i.test(err.message)) throw new AppError('UNAUTHENTICATED', 'That code was already used; wait for the next one.');
      if (err instanceof AppError && (err.code === 'NOT_FOUND' || /unknown key/i.test(err.message))) throw new AppError('NOT_FOUND', 'That grant\'s key is not in Vault any more; ask for a new grant.');
      throw err;
    }
    if (!valid) throw new AppError('UNAUTHENTICATED', 'Wrong code: check that your authenticator scanned this QR code and that its clock is right.');
  }

  /**
   * Fail closed where Vault would let a person make their own factor (a policy that grants
   * create on their own key, or on a grant to themselves): the console does not enrol there.
   */
  private async refuseSelfMadeFactors(me: Me): Promise<void> {
    const probeKey = enrolmentPaths.key(keyName(me.entityId, 'g000000000000'));
    const selfGrant = enrolmentPaths.grant(this.deps.kvMount(), me.entityId, me.entityId);
    const res = await me.client.request<Record<string, unknown>>('POST', 'sys/capabilities-self', { paths: [probeKey, selfGrant] });
    const caps = (p: string): string[] => {
      const v = (res?.data as Record<string, unknown> | undefined)?.[p] ?? res?.[p];
      return Array.isArray(v) ? v.map(String) : [];
    };
    for (const p of [probeKey, selfGrant]) {
      const c = caps(p);
      if (c.includes('root') || c.includes('create') || c.includes('update') || c.includes('sudo')) {
        throw new AppError(
          'PERMISSION_DENIED',
          `Your policies let you write ${p} yourself, so a grant could not prove another admin made your second factor; the console does not enrol with such policies (docs/enrolment.md).`,
        );
      }
    }
  }

  private async granters(me: Me): Promise<string[]> {
    try {
      const r = await me.client.request<{ data?: { keys?: string[] } }>('LIST', enrolmentPaths.grants(this.deps.kvMount(), me.entityId));
      // Path-enforced: only that identity could have written grants/<me>/<it>; never ourselves.
      return (r?.data?.keys ?? []).filter((k) => isEntityId(k) && k !== me.entityId).slice(0, 50);
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return [];
      throw err;
    }
  }

  private async readGrant(me: Me, granter: string): Promise<GrantRecord | null> {
    let body: { data?: { data?: Partial<GrantRecord> | null } };
    try {
      body = await me.client.request('GET', enrolmentPaths.grant(this.deps.kvMount(), me.entityId, granter));
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return null;
      throw err;
    }
    const d = body?.data?.data;
    if (!d || !isGrantId(d.grant_id) || typeof d.wrap_token !== 'string') return null;
    // The key a grant may hand out is this identity's, for this grant; nothing else.
    if (d.key_name !== keyName(me.entityId, d.grant_id) || !isKeyOf(me.entityId, d.key_name)) return null;
    return {
      grant_id: d.grant_id,
      key_name: d.key_name,
      wrap_token: d.wrap_token,
      grantee_entity: me.entityId,
      grantee_name: String(d.grantee_name ?? me.username ?? ''),
      granter_entity: granter,
      granter_name: String(d.granter_name ?? 'unknown'),
      created_at: String(d.created_at ?? ''),
      expires_at: String(d.expires_at ?? ''),
    };
  }

  private async grantState(client: VaultClient, g: GrantRecord): Promise<'ready' | 'opened' | 'expired'> {
    try {
      await client.request('POST', 'sys/wrapping/lookup', { token: g.wrap_token });
      return 'ready';
    } catch {
      return Date.parse(g.expires_at) <= this.deps.clock.now() ? 'expired' : 'opened';
    }
  }

  private spentGrant(err: unknown, g: GrantRecord): AppError {
    if (err instanceof AppError && (err.code === 'VAULT_ERROR' || err.code === 'PERMISSION_DENIED' || err.code === 'NOT_FOUND')) {
      if (Date.parse(g.expires_at) <= this.deps.clock.now()) return new AppError('CONFLICT', 'This enrolment grant has expired; ask for a new one.');
      return new AppError('CONFLICT', 'This enrolment grant was already opened. If that was not you, tell the granting admin now: someone else has the key. Ask for a new grant.');
    }
    return err instanceof AppError ? err : new AppError('VAULT_ERROR', 'Opening the grant failed.');
  }

  private async keyExists(client: VaultClient, name: string): Promise<boolean> {
    try {
      await client.request('GET', enrolmentPaths.key(name));
      return true;
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return false;
      throw err;
    }
  }

  /** A username as Vault's identity store has it (its userpass alias); null when it cannot say. */
  private async nameOf(client: VaultClient, entityId: string): Promise<string | null> {
    try {
      const r = await client.request<{ data?: { aliases?: Array<{ name?: string; mount_type?: string }> } }>('GET', `identity/entity/id/${entityId}`);
      const alias = (r?.data?.aliases ?? []).find((a) => a.mount_type === 'userpass') ?? r?.data?.aliases?.[0];
      return typeof alias?.name === 'string' ? alias.name : null;
    } catch {
      return null;
    }
  }

  /** The grantee's identity, through the userpass mount the granting admin signed in with. */
  private async lookupUser(me: Me, username: string): Promise<{ entityId: string; name: string }> {
    const mine = await me.client.request<{ data?: { aliases?: Array<{ mount_accessor?: string; mount_type?: string }> } }>('GET', `identity/entity/id/${me.entityId}`);
    const accessor = (mine?.data?.aliases ?? []).find((a) => a.mount_type === 'userpass')?.mount_accessor;
    if (!accessor) throw new AppError('BAD_INPUT', 'Granting needs a username and password sign-in (the console finds the other admin on the same userpass mount).');
    let found: { data?: { id?: string; aliases?: Array<{ name?: string; mount_accessor?: string }> } | null } | null;
    try {
      // Vault's userpass lowercases usernames.
      found = await me.client.request('POST', 'identity/lookup/entity', { alias_name: username.toLowerCase(), alias_mount_accessor: accessor });
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') found = null;
      else throw err;
    }
    const id = found?.data?.id;
    if (!isEntityId(id)) throw new AppError('NOT_FOUND', `${username} has no Vault identity yet: they sign in to the console once, then you grant.`);
    const name = found?.data?.aliases?.find((a) => a.mount_accessor === accessor)?.name ?? username.toLowerCase();
    return { entityId: id, name };
  }
}
