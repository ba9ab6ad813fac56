// Resolver lists: IP addresses with optional ports only (a host name would need DNS to
// find DNS), duplicates dropped, at most 8; the profile's list wins, then the
// environment's, then the system's.
import { describe, expect, it } from 'vitest';
import { effectiveResolvers, parseResolver, parseResolverList } from '../../../../../src/main/services/dkim-dns/resolvers';

describe('DNS resolver lists', () => {
  it('reads IPv4 and IPv6 with and without a port', () => {
    expect(parseResolver('192.0.2.53')).toEqual({ label: '192.0.2.53', host: '192.0.2.53', port: 53 });
    expect(parseResolver(' 127.0.0.1:5353 ')).toEqual({ label: '127.0.0.1:5353', host: '127.0.0.1', port: 5353 });
    expect(parseResolver('::1')).toEqual({ label: '::1', host: '::1', port: 53 });
    expect(parseResolver('[::1]:5353')).toEqual({ label: '[::1]:5353', host: '::1', port: 5353 });
    expect(parseResolver('[2001:db8::1]:53').label).toBe('2001:db8::1');
  });

  it('refuses host names, bad ports and junk with a clear error', () => {
    for (const bad of ['dns.google', '1.2.3.4:0', '1.2.3.4:70000', '999.1.1.1', '[1.2.3.4]:53', '', 'a;b']) {
      expect(() => parseResolver(bad), bad).toThrow(/Not a resolver address/);
    }
  });

  it('drops duplicates and caps the list', () => {
    expect(parseResolverList('127.0.0.1:5353, 127.0.0.1:5353\n::1').map((r) => r.label)).toEqual(['127.0.0.1:5353', '::1']);
    expect(() => parseResolverList(Array.from({ length: 9 }, (_, i) => `127.0.0.${i + 1}`))).toThrow(/At most 8/);
  });

  it('the profile list wins, then the environment, then the system', () => {
    const system = () => [parseResolver('192.0.2.1')];
    expect(effectiveResolvers(['127.0.0.1:1'], '127.0.0.2', system)).toMatchObject({ source: 'profile', resolvers: [{ label: '127.0.0.1:1' }] });
    expect(effectiveResolvers([], '127.0.0.2', system)).toMatchObject({ source: 'environment', resolvers: [{ label: '127.0.0.2' }] });
    expect(effectiveResolvers(null, undefined, system)).toMatchObject({ source: 'system', resolvers: [{ label: '192.0.2.1' }] });
  });
});
