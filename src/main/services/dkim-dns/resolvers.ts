// Which DNS resolvers a check asks: the connection profile's list, else the environment's
// (VAULT_CONSOLE_DNS_RESOLVERS), else the system's (what /etc/resolv.conf or the OS names).
// A resolver is an IP address with an optional port ("192.0.2.53", "192.0.2.53:5353",
// "2001:db8::53", "[2001:db8::53]:5353"): never a host name, which would need DNS itself.
import { getServers } from 'node:dns';
import { isIP } from 'node:net';
import { AppError } from '../../../shared/errors';

export const MAX_RESOLVERS = 8;

export interface ResolverAddress {
  /** As shown and stored: "192.0.2.53" or "192.0.2.53:5353" or "[2001:db8::53]:5353". */
  label: string;
  host: string;
  port: number;
}

/** One resolver as the user wrote it; AppError BAD_INPUT naming it otherwise. */
export function parseResolver(text: string): ResolverAddress {
  const t = text.trim();
  const bad = () => new AppError('BAD_INPUT', `Not a resolver address (an IP address with an optional port): ${JSON.stringify(t.slice(0, 60))}.`);
  let host = t;
  let port = 53;
  const v6 = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(t);
  if (v6) {
    host = v6[1]!;
    if (v6[2] !== undefined) port = Number(v6[2]);
    if (isIP(host) !== 6) throw bad();
  } else if (isIP(t) === 6) {
    host = t;
  } else {
    const m = /^([0-9.]+)(?::(\d{1,5}))?$/.exec(t);
    if (!m || isIP(m[1]!) !== 4) throw bad();
    host = m[1]!;
    if (m[2] !== undefined) port = Number(m[2]);
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad();
  const label = port === 53 ? host : isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
  return { label, host, port };
}

/** A list from the UI, the CLI or the environment (commas, spaces or new lines); duplicates dropped. */
export function parseResolverList(input: string | readonly string[]): ResolverAddress[] {
  const items = (typeof input === 'string' ? input.split(/[\s,]+/) : input.flatMap((x) => x.split(/[\s,]+/))).filter((x) => x.trim() !== '');
  const out: ResolverAddress[] = [];
  for (const item of items) {
    const r = parseResolver(item);
    if (!out.some((o) => o.label === r.label)) out.push(r);
  }
  if (out.length > MAX_RESOLVERS) throw new AppError('BAD_INPUT', `At most ${MAX_RESOLVERS} resolvers.`);
  return out;
}

/** The system's resolvers as Node sees them (c-ares reads /etc/resolv.conf or the OS settings). */
export function systemResolvers(): ResolverAddress[] {
  const out: ResolverAddress[] = [];
  for (const s of getServers()) {
    try {
      out.push(parseResolver(s));
    } catch {
      // A form c-ares reports that we do not (an interface-scoped address): skip it.
    }
  }
  return out;
}

export type ResolverSource = 'profile' | 'environment' | 'system';

export interface EffectiveResolvers {
  source: ResolverSource;
  resolvers: ResolverAddress[];
}

/** The profile's list wins, then the environment's, then the system's. */
export function effectiveResolvers(profile: readonly string[] | null, env: string | undefined, system: () => ResolverAddress[] = systemResolvers): EffectiveResolvers {
  if (profile && profile.length > 0) return { source: 'profile', resolvers: parseResolverList(profile) };
  if (env && env.trim() !== '') return { source: 'environment', resolvers: parseResolverList(env) };
  return { source: 'system', resolvers: system() };
}
