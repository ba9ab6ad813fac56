// One TXT question to one resolver, asked directly (not through the OS stub resolver and
// its cache): Node's dns.Resolver, i.e. c-ares, which Node maintains and ships. Why this
// and not a package from npm (dns2, dns-packet with our own sockets): it takes a server
// per channel with its port, has a per-try timeout and a number of tries, falls back to
// TCP when a UDP answer is truncated (a 2048-bit key's record is ~420 bytes, a 4096-bit
// one does not fit 512), keeps a record's strings apart (string[][]), and tells NXDOMAIN
// (ENOTFOUND) from "no TXT at this name" (ENODATA) from no answer at all. A fresh
// channel per question: nothing is cached between checks, and cancel() ends only it.
import { promises as dns } from 'node:dns';
import type { ResolverAddress } from './resolvers';

export type TxtAnswer =
  | { kind: 'records'; records: string[][] }
  /** The resolver answered: the name does not exist (NXDOMAIN) or holds no TXT record. */
  | { kind: 'none'; detail: 'NXDOMAIN' | 'no TXT record' }
  /** No usable answer: timeout, refused, server failure, nothing listening. Never "published". */
  | { kind: 'no-answer'; code: string };

export interface QueryOptions {
  /** Per try, in ms (c-ares doubles it on each retry). */
  timeoutMs: number;
  tries: number;
}

export const DEFAULT_QUERY: QueryOptions = { timeoutMs: 2000, tries: 2 };

export async function queryTxt(server: ResolverAddress, name: string, opts: QueryOptions = DEFAULT_QUERY): Promise<TxtAnswer> {
  const resolver = new dns.Resolver({ timeout: opts.timeoutMs, tries: opts.tries });
  resolver.setServers([server.label]);
  // A hard deadline over all tries, so one dead resolver never stalls a sweep.
  let deadline: NodeJS.Timeout | undefined;
  const budget = opts.timeoutMs * (2 ** opts.tries - 1) + 250;
  try {
    const records = await Promise.race([
      resolver.resolveTxt(name),
      new Promise<never>((_, reject) => {
        deadline = setTimeout(() => {
          resolver.cancel();
          reject(Object.assign(new Error('deadline'), { code: 'ETIMEOUT' }));
        }, budget);
      }),
    ]);
    return { kind: 'records', records };
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'ERROR';
    if (code === 'ENOTFOUND') return { kind: 'none', detail: 'NXDOMAIN' };
    if (code === 'ENODATA') return { kind: 'none', detail: 'no TXT record' };
    return { kind: 'no-answer', code };
  } finally {
    clearTimeout(deadline);
    resolver.cancel();
  }
}
