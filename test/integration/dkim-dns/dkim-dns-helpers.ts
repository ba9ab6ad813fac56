// Shared set-up of the DKIM DNS tests: a fresh mount on the real OpenBao with seeded
// tenants, real Knot DNS servers on loopback serving zones the test writes, and the
// DkimDnsService pointed at them (short timeouts so a silent resolver costs little).
import { DkimDnsService, type DkimDnsDeps } from '../../../src/main/services/dkim-dns/dkim-dns-service';
import { parseResolverList } from '../../../src/main/services/dkim-dns/resolvers';
import { ManualClock } from '../../../src/main/services/time/clock';
import { createKvStore } from '../../../src/main/services/vault/kv';
import type { VaultClient } from '../../../src/main/services/vault/vault-client';
import { txtRecord, type KnotInstance } from '../../services/dns/knot';
import { quiet } from '../rotation/rotation-helpers';

export const HOUR = 3_600_000;

export function dnsService(client: VaultClient, mount: string, servers: () => string[], extra: Partial<DkimDnsDeps> = {}): DkimDnsService {
  return new DkimDnsService({
    client: () => client,
    mount: () => mount,
    actor: () => 'admin',
    clock: extra.clock ?? new ManualClock(Date.now()),
    resolvers: () => ({ source: 'profile', resolvers: parseResolverList(servers()) }),
    query: { timeoutMs: 300, tries: 1 },
    logger: quiet,
    ...extra,
  });
}

/** The current and previous TXT values of a DKIM secret, as Vault holds them. */
export async function dkimValues(client: VaultClient, mount: string, path: string): Promise<{ selector: string; txt: string; previousSelector: string | null; previousTxt: string | null }> {
  const s = (await createKvStore(client, mount).read<Record<string, unknown>>(path))!;
  const d = s.data;
  return {
    selector: String(d.selector),
    txt: String(d.txt),
    previousSelector: typeof d.previous_selector === 'string' ? d.previous_selector : null,
    previousTxt: typeof d.previous_txt === 'string' ? d.previous_txt : null,
  };
}

/** Zone records (relative to the domain's own zone) for selector → value pairs. */
export function records(entries: Array<[selector: string, value: string, chunk?: number]>): string {
  return entries.map(([sel, value, chunk]) => txtRecord(`${sel}._domainkey`, value, chunk ?? 255)).join('\n');
}

export async function publish(servers: KnotInstance[], domain: string, entries: Array<[string, string, number?]>): Promise<void> {
  await Promise.all(servers.map((s) => s.setZone(domain, records(entries))));
}
