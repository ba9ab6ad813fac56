// A tenant's secret details, built from the index (metadata only), and the actions
// that need Vault at the moment they happen, with the session's own client.
import { createPublicKey } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import type { ApiKeyInfo, DkimDns, DkimInfo, RotationHistory, SmtpInfo, SshKeyInfo, TenantDetails } from '../../../shared/contracts/inventory';
import { AppError } from '../../../shared/errors';
import { classify, maskEmail, type SecretHealth } from '../../../shared/inventory/rotation-status';
import type { StoredSecret, StoredTenant } from '../storage/inventory-repo';
import { encodeKvPath, encodeMount } from '../vault/kv';
import type { VaultClient } from '../vault/vault-client';
import { placeOf, type RawMetadata } from './normalize';

function health(s: StoredSecret, now: Date): SecretHealth {
  if (s.status === 'unknown') return 'unknown';
  return classify(s.metadata, now);
}

function num(v: string | undefined): number | null {
  if (v === undefined || v.trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function common(s: StoredSecret, now: Date) {
  return {
    path: s.path,
    health: health(s, now),
    status: s.status,
    lastRotated: s.lastRotated,
    nextRotation: s.nextRotationMs !== null && !Number.isNaN(s.nextRotationMs) ? new Date(s.nextRotationMs).toISOString() : null,
    currentVersion: s.currentVersion,
    problem: s.problem,
  };
}

export function detailsFromIndex(t: StoredTenant, now: Date): TenantDetails {
  const find = (type: string, name: string) => t.secrets.find((s) => s.type === type && s.name === name);
  const ssh = (s: StoredSecret | undefined): SshKeyInfo | null =>
    s ? { ...common(s, now), fingerprint: s.metadata.fingerprint ?? null, lastDownloaded: s.metadata.last_downloaded ?? null, graceUntil: s.metadata.grace_until ?? null } : null;
  const smtpRow = find('smtp', 'admin');
  const primary = t.domains[0];
  const smtp: SmtpInfo | null = smtpRow
    ? {
        ...common(smtpRow, now),
        // The username is admin@<primary domain> by layout; only its masked form leaves main.
        usernameMasked: primary ? maskEmail(`admin@${primary}`) : null,
        webmailUrl: smtpRow.metadata.webmail_url ?? null,
      }
    : null;
  const apiKeys: ApiKeyInfo[] = t.secrets
    .filter((s) => s.type === 'api')
    .map((s) => ({
      ...common(s, now),
      keyId: s.name,
      prefix: s.metadata.prefix ?? null,
      permissions: (s.metadata.permissions ?? '').split(',').map((p) => p.trim()).filter(Boolean),
      rateLimit: num(s.metadata.rate_limit),
      created: s.metadata.created ?? s.lastRotated,
      lastUsed: s.metadata.last_used ?? null,
      requestCount: num(s.metadata.request_count),
    }));
  const dkim: DkimInfo[] = t.secrets
    .filter((s) => s.type === 'dkim')
    .map((s) => ({
      ...common(s, now),
      domain: s.name,
      selector: s.metadata.selector ?? null,
      dnsName: s.metadata.selector ? `${s.metadata.selector}._domainkey.${s.name}` : null,
      graceUntil: s.metadata.grace_until ?? null,
    }));
  const problems = t.secrets.filter((s) => s.problem).map((s) => ({ path: s.path, reason: s.problem! }));
  if (!t.secrets.some((s) => s.type === 'profile')) problems.unshift({ path: `${t.tenantId}/profile`, reason: 'profile is missing (tenant incomplete)' });
  return {
    tenantId: t.tenantId,
    name: t.name,
    vpsIp: t.vpsIp,
    domains: t.domains,
    scannedAt: t.scannedAt,
    sshAdmin: ssh(find('ssh', 'admin')),
    sshTenant: ssh(find('ssh', 'tenant')),
    smtp,
    apiKeys,
    dkim,
    problems,
  };
}

/** Paths the UI may ask about: inside the tenant and part of the layout. */
export function checkTenantPath(tenantId: string, path: string): string {
  const prefix = `${tenantId}/`;
  if (!path.startsWith(prefix)) throw new AppError('BAD_INPUT', 'The path is not inside this tenant.');
  const rel = path.slice(prefix.length);
  if (placeOf(rel).type === 'other') throw new AppError('BAD_INPUT', 'The path is not part of the tenant layout.');
  encodeKvPath(path);
  return rel;
}

export class VaultTenantReader {
  private readonly m: string;
  constructor(private readonly client: VaultClient, mount: string) {
    this.m = encodeMount(mount);
  }

  async metadata(path: string, headers?: Record<string, string>): Promise<RawMetadata | null> {
    try {
      const body = await this.client.request<{ data?: RawMetadata }>('GET', `${this.m}/metadata/${encodeKvPath(path)}`, undefined, { headers });
      return body.data ?? null;
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return null;
      throw err;
    }
  }

  /**
   * Merges `patch` into custom_metadata with KV v2's metadata PATCH: Vault merges under its
   * own lock, so a rotation's metadata written at the same moment is kept. (Reading,
   * merging here and POSTing the whole map lost it: a revoke could put an API key's old
   * prefix and rotation state back over a rotation that had just landed.) Only a policy
   * without "patch" falls back to that read-merge-write.
   */
  async mergeCustomMetadata(path: string, patch: Record<string, string>, headers?: Record<string, string>): Promise<void> {
    try {
      await this.client.request('PATCH', `${this.m}/metadata/${encodeKvPath(path)}`, { custom_metadata: patch }, { headers });
      return;
    } catch (err) {
      if (!(err instanceof AppError) || (err.code !== 'PERMISSION_DENIED' && err.code !== 'VAULT_ERROR')) throw err;
    }
    const current = await this.metadata(path, headers);
    if (!current) throw new AppError('NOT_FOUND', `No metadata at ${path}.`);
    const merged: Record<string, string> = {};
    for (const [k, v] of Object.entries(current.custom_metadata ?? {})) if (typeof v === 'string') merged[k] = v;
    Object.assign(merged, patch);
    await this.client.request('POST', `${this.m}/metadata/${encodeKvPath(path)}`, { custom_metadata: merged }, { headers });
  }

  /** Secret data, read only for the action at hand; callers keep only what they need. */
  async data(path: string, headers?: Record<string, string>): Promise<Record<string, unknown> | null> {
    try {
      const body = await this.client.request<{ data?: { data?: Record<string, unknown> | null } }>('GET', `${this.m}/data/${encodeKvPath(path)}`, undefined, { headers });
      return body.data?.data ?? null;
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return null;
      throw err;
    }
  }

  async history(path: string): Promise<RotationHistory> {
    const meta = await this.metadata(path);
    if (!meta) throw new AppError('NOT_FOUND', `No secret at ${path}.`);
    const md = (meta.custom_metadata ?? {}) as Record<string, string>;
    const current = meta.current_version ?? 0;
    const versions = Object.entries(meta.versions ?? {})
      .map(([v, info]) => {
        const version = Number(v);
        const isCurrent = version === current;
        return {
          version,
          createdTime: info?.created_time ?? '',
          deletionTime: info?.deletion_time ?? '',
          destroyed: Boolean(info?.destroyed),
          current: isCurrent,
          by: isCurrent ? (md.rotated_by ?? md.source ?? null) : null,
          reason: isCurrent ? (md.rotation_reason ?? null) : null,
        };
      })
      .sort((a, b) => b.version - a.version);
    return { path, versions };
  }

  async dkimDns(tenantId: string, domain: string): Promise<DkimDns> {
    const path = `${tenantId}/dkim/${domain}`;
    const d = await this.data(path);
    if (!d) throw new AppError('NOT_FOUND', `No DKIM key for ${domain}.`);
    const txt = typeof d.txt === 'string' ? d.txt : null;
    const selector = typeof d.selector === 'string' ? d.selector : null;
    if (!txt || !selector) throw new AppError('VAULT_ERROR', `The DKIM secret for ${domain} has no selector or TXT value.`);
    const records: DkimDns['records'] = [
      { name: typeof d.dns_name === 'string' ? d.dns_name : `${selector}._domainkey.${domain}`, type: 'TXT', value: txt, note: 'Current key: publish this record.' },
    ];
    // During a rotation grace period the previous selector must stay published; derive its public half.
    if (typeof d.previous_selector === 'string' && typeof d.previous_private_key === 'string') {
      try {
        const spki = createPublicKey(d.previous_private_key).export({ type: 'spki', format: 'der' }).toString('base64');
        records.push({ name: `${d.previous_selector}._domainkey.${domain}`, type: 'TXT', value: `v=DKIM1; k=rsa; p=${spki}`, note: 'Previous key: keep until the grace period ends.' });
      } catch {
        // A malformed previous key: show the current record only.
      }
    }
    return { domain, records };
  }
}

/**
 * Writes `content` to `target` atomically with mode 0600: a temp file in the same folder
 * (created exclusively, 0600), fsync, rename. A reader never sees half a key.
 */
export async function writeFileAtomic0600(target: string, content: string): Promise<void> {
  if (!isAbsolute(target)) throw new AppError('BAD_INPUT', 'The save path must be absolute.');
  const dir = dirname(target);
  const dirStat = await stat(dir).catch(() => null);
  if (!dirStat?.isDirectory()) throw new AppError('BAD_INPUT', `The folder ${dir} does not exist.`);
  const existing = await stat(target).catch(() => null);
  if (existing?.isDirectory()) throw new AppError('BAD_INPUT', `${target} is a folder.`);
  const tmp = join(dir, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(content, { encoding: 'utf8' });
    await fh.chmod(0o600);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new AppError('BAD_INPUT', `Cannot save to ${target}: ${(err as NodeJS.ErrnoException).code ?? 'error'}.`);
  }
}
