// Which 2FA key is active for an identity: what reveals validate codes against. Only a
// key made through a grant (its name carries the identity and a grant id) counts; a
// record pointing anywhere else, or at a key that is gone, means "not enrolled".
import { AppError } from '../../../shared/errors';
import type { VaultClient } from '../vault/vault-client';
import { enrolmentPaths, isEntityId, isKeyOf } from './enrolment-paths';

export interface ActiveRecord {
  key_name: string;
  grant_id: string;
  granter_entity: string;
  granted_by: string;
  activated_at: string;
}

export async function readActiveRecord(client: VaultClient, kvMount: string, entityId: string): Promise<ActiveRecord | null> {
  if (!isEntityId(entityId)) return null;
  let body: { data?: { data?: Partial<ActiveRecord> | null } };
  try {
    body = await client.request('GET', enrolmentPaths.active(kvMount, entityId));
  } catch (err) {
    if (err instanceof AppError && err.code === 'NOT_FOUND') return null;
    throw err;
  }
  const d = body?.data?.data;
  if (!d || !isKeyOf(entityId, d.key_name)) return null;
  return {
    key_name: d.key_name,
    grant_id: String(d.grant_id ?? ''),
    granter_entity: String(d.granter_entity ?? ''),
    granted_by: String(d.granted_by ?? ''),
    activated_at: String(d.activated_at ?? ''),
  };
}

/** The active key's name, checked to exist in the TOTP engine; null when not enrolled. */
export async function activeKeyName(client: VaultClient, kvMount: string, entityId: string): Promise<string | null> {
  const rec = await readActiveRecord(client, kvMount, entityId);
  if (!rec) return null;
  try {
    await client.request('GET', enrolmentPaths.key(rec.key_name));
    return rec.key_name;
  } catch (err) {
    if (err instanceof AppError && err.code === 'NOT_FOUND') return null;
    throw err;
  }
}
