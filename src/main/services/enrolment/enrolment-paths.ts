// Where a second factor lives in Vault (docs/enrolment.md):
//   totp/keys/vault-console-e-<entity id>-<grant id>      the 2FA key, made by ANOTHER admin's grant
//   <kv>-enrolment/data/grants/<grantee>/<granter>       the grant: a response-wrapping token for that key
//   <kv>-enrolment/data/active/<entity id>               which key is active, after a valid code
// Named by Vault identity (entity id), not by username: the policies template the same id
// ({{identity.entity.id}}), so a person can never write their own grant or key.
import { AppError } from '../../../shared/errors';
import { encodeMount } from '../vault/kv';

export const TOTP_MOUNT = 'totp';
export const TOTP_ISSUER = 'Vault Console';
export const KEY_PREFIX = 'vault-console-e-';

// OpenBao entity ids are UUIDs (a ".<namespace>" suffix outside the root namespace).
const ENTITY_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(\.[A-Za-z0-9]{1,32})?$/;
const GRANT_RE = /^g[0-9a-f]{12}$/;

export function isEntityId(id: unknown): id is string {
  return typeof id === 'string' && ENTITY_RE.test(id);
}

export function isGrantId(id: unknown): id is string {
  return typeof id === 'string' && GRANT_RE.test(id);
}

export function enrolmentMount(kvMount: string): string {
  return `${kvMount}-enrolment`;
}

function entity(id: string): string {
  if (!isEntityId(id)) throw new AppError('BAD_INPUT', 'Not a Vault identity (entity) id.');
  return id;
}

/** The 2FA key a grant creates for an identity. */
export function keyName(entityId: string, grantId: string): string {
  if (!isGrantId(grantId)) throw new AppError('BAD_INPUT', 'Not an enrolment grant id.');
  return `${KEY_PREFIX}${entity(entityId)}-${grantId}`;
}

/** Whether a key name is one of this identity's grant-made keys (the only ones reveals accept). */
export function isKeyOf(entityId: string, name: unknown): name is string {
  if (typeof name !== 'string' || !name.startsWith(`${KEY_PREFIX}${entityId}-`)) return false;
  return isGrantId(name.slice(`${KEY_PREFIX}${entityId}-`.length));
}

export const enrolmentPaths = {
  key: (name: string) => `${TOTP_MOUNT}/keys/${name}`,
  code: (name: string) => `${TOTP_MOUNT}/code/${name}`,
  grant: (kvMount: string, grantee: string, granter: string) => `${encodeMount(enrolmentMount(kvMount))}/data/grants/${entity(grantee)}/${entity(granter)}`,
  grants: (kvMount: string, grantee: string) => `${encodeMount(enrolmentMount(kvMount))}/metadata/grants/${entity(grantee)}/`,
  active: (kvMount: string, entityId: string) => `${encodeMount(enrolmentMount(kvMount))}/data/active/${entity(entityId)}`,
};
