// What the DKIM DNS check keeps in Vault: a few custom_metadata keys on
// <mount>/<tenant>/dkim/<domain>, shared by every console and the ops host's watcher
// (docs/vault-layout.md, "DKIM DNS state"). Written with KV v2 PATCH and OpenBao's
// metadata check-and-set (metadata_cas = current_metadata_version), so two consoles
// checking at once never overwrite each other's "first seen": the loser re-reads and
// merges. Where the server has no metadata versions (HashiCorp Vault) the write is a
// plain PATCH followed by a read-back. Never logs or returns a private key: the check
// reads the secret's data only to learn the public halves it compares with DNS.
import { createPublicKey } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import { encodeKvPath, encodeMount } from '../vault/kv';
import type { VaultClient } from '../vault/vault-client';
import { publicKeyOf } from './dkim-txt';

/** The custom_metadata keys of the DNS state (values are strings; absent when they do not apply). */
export const DNS_KEYS = {
  selector: 'dns_selector',
  state: 'dns_state',
  detail: 'dns_detail',
  checkedAt: 'dns_checked_at',
  checkedBy: 'dns_checked_by',
  firstSeen: 'dns_first_seen',
  resolvers: 'dns_resolvers',
  previousState: 'dns_previous_state',
  hold: 'dns_hold',
  holdSince: 'dns_hold_since',
  retireAfter: 'dns_retire_after',
  overrideBy: 'retire_override_by',
  overrideAt: 'retire_override_at',
  overrideReason: 'retire_override_reason',
  overrideSelector: 'retire_override_selector',
  overrideRequest: 'retire_override_req',
} as const;

/** The public halves of a DKIM secret: what DNS must show. No private key leaves this module. */
export interface DkimKeyFacts {
  path: string;
  tenantId: string;
  domain: string;
  version: number;
  selector: string | null;
  /** p= of the current key. */
  publicKey: string | null;
  txt: string | null;
  previous: { selector: string; publicKey: string | null; txt: string | null; graceUntil: string | null } | null;
  /** The previous selector was retired (previous_private_key dropped). */
  previousRetired: boolean;
}

export interface MetadataState {
  /** current_metadata_version; null where the server does not count metadata writes (no CAS). */
  metadataVersion: number | null;
  custom: Record<string, string>;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** p= from a TXT value, else derived from a PEM private key (then dropped). */
function publicOf(txt: string | null, privatePem: unknown): string | null {
  const fromTxt = txt ? publicKeyOf(txt) : null;
  if (fromTxt) return fromTxt;
  if (typeof privatePem !== 'string') return null;
  try {
    return createPublicKey(privatePem).export({ type: 'spki', format: 'der' }).toString('base64');
  } catch {
    return null;
  }
}

export class DkimDnsVault {
  private readonly m: string;
  constructor(
    readonly client: VaultClient,
    readonly mount: string,
  ) {
    this.m = encodeMount(mount);
  }

  async domains(tenantId: string): Promise<string[]> {
    try {
      const body = await this.client.request<{ data?: { keys?: string[] } }>('LIST', `${this.m}/metadata/${encodeKvPath(`${tenantId}/dkim`)}`);
      return (body?.data?.keys ?? []).filter((k) => !k.endsWith('/')).sort();
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return [];
      throw err;
    }
  }

  /** The key's public facts from its current version, or the one given (a data read: needs read on data/). */
  async facts(path: string, version?: number): Promise<DkimKeyFacts | null> {
    let body: { data?: { data?: Record<string, unknown> | null; metadata?: { version?: number; custom_metadata?: Record<string, string> | null } } };
    try {
      body = await this.client.request('GET', `${this.m}/data/${encodeKvPath(path)}${version !== undefined ? `?version=${version}` : ''}`);
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return null;
      throw err;
    }
    const d = body?.data?.data;
    if (!d) return null;
    const md = body.data?.metadata?.custom_metadata ?? {};
    const [tenantId, , domain] = path.split('/') as [string, string, string];
    const txt = str(d.txt);
    const prevSel = str(d.previous_selector);
    const prevTxt = str(d.previous_txt);
    const retired = prevSel !== null && typeof d.previous_private_key !== 'string';
    const facts: DkimKeyFacts = {
      path,
      tenantId,
      domain,
      version: body.data?.metadata?.version ?? 0,
      selector: str(d.selector) ?? str(md.selector),
      publicKey: publicOf(txt, d.private_key),
      txt,
      previous: prevSel && !retired ? { selector: prevSel, publicKey: publicOf(prevTxt, d.previous_private_key), txt: prevTxt, graceUntil: str(d.grace_until) ?? str(md.grace_until) } : null,
      previousRetired: retired,
    };
    return facts;
  }

  async metadata(path: string): Promise<MetadataState | null> {
    try {
      const body = await this.client.request<{ data?: { current_metadata_version?: unknown; custom_metadata?: Record<string, string> | null } }>('GET', `${this.m}/metadata/${encodeKvPath(path)}`);
      if (!body?.data) return null;
      const v = body.data.current_metadata_version;
      return { metadataVersion: typeof v === 'number' ? v : null, custom: body.data.custom_metadata ?? {} };
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return null;
      throw err;
    }
  }

  /**
   * PATCH custom_metadata (null deletes a key) guarded by metadata check-and-set when the
   * server has it. CONFLICT when someone wrote in between: the caller re-reads and merges.
   */
  async patch(path: string, state: MetadataState, patch: Record<string, string | null>, headers?: Record<string, string>): Promise<void> {
    const body: Record<string, unknown> = { custom_metadata: patch };
    if (state.metadataVersion !== null) body.metadata_cas = state.metadataVersion;
    await this.client.request('PATCH', `${this.m}/metadata/${encodeKvPath(path)}`, body, headers ? { headers } : undefined);
  }
}
