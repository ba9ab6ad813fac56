// Builds everything one seeded tenant consists of: the KV writes (data plus
// custom_metadata) in the order the seeder performs them, profile last (its
// presence marks a completely seeded tenant). Non-secret choices come from the
// seeded rng; key material comes from node:crypto.
import { generateApiKey } from '../keys/api-key';
import { generateSmtpPassword } from '../keys/smtp-password';
import { generateSshEd25519 } from '../keys/ssh-ed25519';
import type { DkimSource } from './dkim-pool';
import { LAYOUT_SCHEMA, MD, paths, tenantId, type SecretType } from './layout';
import { createRng, type Rng } from './rng';
import { planRotation, rotationMetadata, type RotationBucket } from './rotation-plan';
import { slugify, tenantName } from './tenant-names';
import { usageMetadata } from './usage-plan';

export interface PlannedWrite {
  path: string;
  type: SecretType;
  data: Record<string, unknown>;
  customMetadata: Record<string, string>;
  bucket?: RotationBucket;
}

export interface TenantPlan {
  tenantId: string;
  name: string;
  vpsIp: string;
  domains: string[];
  writes: PlannedWrite[];
}

const TLDS = ['example.com', 'example.net', 'example.org'];
const API_PERMISSIONS = ['send:email', 'read:stats', 'manage:domains', 'manage:templates', 'read:logs', 'manage:webhooks'];
const RATE_LIMITS = [60, 300, 1000, 5000];
const DAY = 86_400_000;

export function vpsIp(rng: Rng, index: number): string {
  const r = rng.next();
  if (r < 0.1) return `203.0.113.${rng.int(1, 254)}`; // TEST-NET-3
  if (r < 0.2) return `198.51.100.${rng.int(1, 254)}`; // TEST-NET-2
  // 10/8: unique per index up to 16M tenants.
  const n = index + 256;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255 || 1}`;
}

export function tenantDomains(rng: Rng, name: string, index: number): string[] {
  const base = slugify(name) || 'tenant';
  // The index keeps domains unique across tenants that drew the same name.
  const count = rng.int(1, 3);
  const tlds = [...TLDS];
  for (let i = tlds.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [tlds[i], tlds[j]] = [tlds[j]!, tlds[i]!];
  }
  return tlds.slice(0, count).map((tld) => `${base}-${index}.${tld}`);
}

function iso(d: Date): string {
  return d.toISOString();
}

export interface PlanOptions {
  index: number;
  seed: string | number;
  now: Date;
  dkim: DkimSource;
}

export async function planTenant({ index, seed, now, dkim }: PlanOptions): Promise<TenantPlan> {
  const rng = createRng(seed, index);
  const id = tenantId(index);
  const name = tenantName(rng);
  const ip = vpsIp(rng, index);
  const domains = tenantDomains(rng, name, index);
  const primary = domains[0]!;
  const createdAt = new Date(now.getTime() - rng.int(400, 1500) * DAY);
  const base = { [MD.schema]: LAYOUT_SCHEMA, [MD.source]: 'seed' };
  const writes: PlannedWrite[] = [];

  for (const role of ['admin', 'tenant'] as const) {
    const rot = planRotation(rng, 'ssh', now);
    const key = generateSshEd25519({ comment: `${role}@${id}` });
    const md: Record<string, string> = { ...base, [MD.type]: 'ssh', ...rotationMetadata(rot), [MD.fingerprint]: key.fingerprint };
    const data: Record<string, unknown> = { key_type: 'ssh-ed25519', username: role === 'admin' ? 'root' : 'tenant', private_key: key.privateKey, public_key: key.publicKey, fingerprint: key.fingerprint };
    if (role === 'tenant' && rng.chance(0.7)) {
      const downloaded = iso(new Date(rot.lastRotated.getTime() + rng.int(0, 20) * DAY));
      md[MD.lastDownloaded] = downloaded;
      data.last_downloaded_at = downloaded;
    }
    writes.push({ path: role === 'admin' ? paths.sshAdmin(id) : paths.sshTenant(id), type: 'ssh', data, customMetadata: md, bucket: rot.bucket });
  }

  {
    const rot = planRotation(rng, 'smtp', now);
    const webmail = `https://mail.${primary}`;
    writes.push({
      path: paths.smtpAdmin(id),
      type: 'smtp',
      data: { username: `admin@${primary}`, password: generateSmtpPassword(), webmail_url: webmail, smtp_host: `mail.${primary}`, smtp_port: 587 },
      customMetadata: { ...base, [MD.type]: 'smtp', ...rotationMetadata(rot), [MD.webmailUrl]: webmail },
      bucket: rot.bucket,
    });
  }

  const apiCount = rng.int(1, 5);
  // Usage counters draw from their own stream: everything else a tenant is made of stays as it was.
  const usageRng = createRng(`${seed}:usage`, index);
  for (let i = 0; i < apiCount; i++) {
    const rot = planRotation(rng, 'api', now);
    // Stable key ids keep a re-run of a half-written tenant from adding extra keys.
    const keyId = `ak_${Array.from({ length: 4 }, () => rng.int(0, 0xffff).toString(16).padStart(4, '0')).join('')}`;
    const k = generateApiKey({ env: rng.chance(0.85) ? 'live' : 'test', keyId });
    const perms = API_PERMISSIONS.filter(() => rng.chance(0.4));
    if (perms.length === 0) perms.push('send:email');
    const rateLimit = rng.pick(RATE_LIMITS);
    const created = rot.lastRotated;
    const used = rng.chance(0.85) ? iso(new Date(Math.min(now.getTime(), created.getTime() + rng.int(0, 400) * DAY))) : '';
    const requests = used ? rng.int(1, 2_000_000) : 0;
    writes.push({
      path: paths.apiKey(id, k.keyId),
      type: 'api',
      // Only the hash and the visible prefix are stored; the key itself is dropped here.
      data: { key_id: k.keyId, hash: k.hash, prefix: k.prefix, permissions: perms, rate_limit_per_minute: rateLimit, created_at: iso(created), last_used_at: used || null, request_count: requests },
      customMetadata: {
        ...base,
        [MD.type]: 'api',
        ...rotationMetadata(rot),
        [MD.prefix]: k.prefix,
        [MD.permissions]: perms.join(','),
        [MD.rateLimit]: String(rateLimit),
        [MD.created]: iso(created),
        [MD.requestCount]: String(requests),
        // Absent (not empty) when the key was never used.
        ...(used ? { [MD.lastUsed]: used } : {}),
        // What the platform's metering job keeps: the last 30 days and 12 months (docs/vault-layout.md).
        ...usageMetadata(usageRng, { created, lastUsed: used ? new Date(used) : null, total: requests, now }),
      },
      bucket: rot.bucket,
    });
  }

  for (const domain of domains) {
    const rot = planRotation(rng, 'dkim', now);
    const key = await dkim.next();
    const d = rot.lastRotated;
    const selector = `pm${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    writes.push({
      path: paths.dkim(id, domain),
      type: 'dkim',
      data: { domain, selector, bits: 2048, private_key: key.privateKey, txt: key.txt, dns_name: `${selector}._domainkey.${domain}` },
      customMetadata: { ...base, [MD.type]: 'dkim', ...rotationMetadata(rot), [MD.selector]: selector, [MD.domain]: domain },
      bucket: rot.bucket,
    });
  }

  writes.push({
    path: paths.profile(id),
    type: 'profile',
    data: { tenant_id: id, name, vps_ip: ip, domains, created_at: iso(createdAt) },
    customMetadata: { ...base, [MD.type]: 'profile', [MD.tenantName]: name, [MD.vpsIp]: ip, [MD.domains]: domains.join(','), [MD.created]: iso(createdAt) },
  });

  return { tenantId: id, name, vpsIp: ip, domains, writes };
}
