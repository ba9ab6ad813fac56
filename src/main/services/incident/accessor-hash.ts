// A token accessor as Vault's audit devices log it. By default Vault HMACs accessors in
// its audit log (hmac_accessor=true), so a plain accessor matches nothing; Vault will
// compute the HMAC a device uses for any input (sys/audit-hash/<device>, needs sudo),
// so the console searches for the plain value and each device's HMAC of it.
import { AppError } from '../../../shared/errors';
import type { VaultClient } from '../vault/vault-client';

export interface AccessorValues {
  values: string[];
  note: string | null;
}

export async function accessorValues(client: VaultClient | null, accessor: string): Promise<AccessorValues> {
  if (!client) return { values: [accessor], note: 'Signed out: only plainly logged accessors match (sign in to match the HMACs Vault logs by default).' };
  let devices: Record<string, { type?: string }>;
  try {
    const r = await client.request<Record<string, { type?: string }> & { data?: Record<string, { type?: string }> }>('GET', 'sys/audit');
    devices = (r.data ?? r) as Record<string, { type?: string }>;
  } catch (err) {
    return { values: [accessor], note: `Vault did not list its audit devices (${err instanceof AppError ? err.code : 'error'}); only plainly logged accessors match.` };
  }
  const values = [accessor];
  const failed: string[] = [];
  for (const [path, d] of Object.entries(devices)) {
    if (!d || typeof d !== 'object' || typeof d.type !== 'string') continue;
    try {
      const r = await client.request<{ hash?: string; data?: { hash?: string } }>('POST', `sys/audit-hash/${path.replace(/\/+$/, '').split('/').map(encodeURIComponent).join('/')}`, { input: accessor });
      const h = r.data?.hash ?? r.hash;
      if (typeof h === 'string' && h.startsWith('hmac-sha256:')) values.push(h);
    } catch {
      failed.push(path.replace(/\/+$/, ''));
    }
  }
  return { values: [...new Set(values)], note: failed.length ? `Vault would not hash the accessor for ${failed.join(', ')} (sys/audit-hash needs sudo): entries of those devices match only if logged plainly.` : null };
}
