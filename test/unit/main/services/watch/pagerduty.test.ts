// The Events API v2 bodies the watcher builds, and Retry-After as a receiver sends it.
import { describe, expect, it } from 'vitest';
import { parseRetryAfter, resolveEvent, triggerEvent, withRoutingKey } from '../../../../../src/main/services/watch/pagerduty';

describe('PagerDuty events', () => {
  const t = triggerEvent({
    condition: 'vault-sealed',
    dedupKey: 'vault-console/vault:8200/vault-sealed',
    severity: 'critical',
    summary: 'x'.repeat(2000),
    source: 'vault-prod',
    timestamp: '2026-12-04T10:00:00.000Z',
    details: { vault_address: 'https://vault:8200' },
    link: { href: 'vault-console://open?view=health', text: 'Open' },
  });

  it('a trigger carries the v2 fields, a summary cut to 1024 characters, details and the link, and no routing key', () => {
    expect(t).toMatchObject({ event_action: 'trigger', dedup_key: 'vault-console/vault:8200/vault-sealed', client: 'Vault Console watch' });
    expect(t.payload).toMatchObject({ source: 'vault-prod', severity: 'critical', component: 'vault', group: 'vault-console', class: 'vault-sealed', timestamp: '2026-12-04T10:00:00.000Z' });
    expect(t.payload!.summary).toHaveLength(1024);
    expect(t.payload!.custom_details).toEqual({ vault_address: 'https://vault:8200', console_link: 'vault-console://open?view=health' });
    expect(t.links).toEqual([{ href: 'vault-console://open?view=health', text: 'Open' }]);
    expect(JSON.stringify(t)).not.toContain('routing_key');
  });

  it('a resolve names only the dedup_key', () => {
    expect(resolveEvent('k')).toEqual({ event_action: 'resolve', dedup_key: 'k' });
  });

  it('the routing key is added to the wire bytes only', () => {
    const stored = JSON.stringify(resolveEvent('k'));
    expect(JSON.parse(withRoutingKey(stored, 'R0UT1NGKEY'))).toEqual({ routing_key: 'R0UT1NGKEY', event_action: 'resolve', dedup_key: 'k' });
    expect(stored).not.toContain('R0UT1NGKEY');
  });

  it('Retry-After in seconds or as an HTTP date, capped at an hour; junk is ignored', () => {
    const now = Date.parse('2026-12-04T10:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2_000);
    expect(parseRetryAfter('999999', now)).toBe(3_600_000);
    expect(parseRetryAfter('Fri, 04 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Fri, 04 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});
