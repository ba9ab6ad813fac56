// The evidence signing key: created once per install and kept in the keychain (SecretStore);
// no keychain, no signing (never a throwaway key); an unreadable stored key is never
// replaced silently. Bad inputs to the evidence and incident channels get clear errors.
import { describe, expect, it } from 'vitest';
import { EvidenceSigningKey, SIGNING_KEY_ACCOUNT } from '../../../../../src/main/services/evidence/signing-key';
import { MemorySecretStore } from '../../../../../src/main/services/keychain/memory-secret-store';
import { channels } from '../../../../../src/shared/contract';

describe('the signing key', () => {
  it('is created once and read back by every later instance (another process)', async () => {
    const store = new MemorySecretStore();
    const a = await new EvidenceSigningKey(store).key();
    const b = await new EvidenceSigningKey(store).key();
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(a.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(store.size).toBe(1);
    expect(a.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(await new EvidenceSigningKey(store).existing()).toMatchObject({ fingerprint: a.fingerprint });
  });

  it('fails closed without a keychain, and creates nothing', async () => {
    const store = new MemorySecretStore();
    store.unavailable = 'no Secret Service';
    await expect(new EvidenceSigningKey(store).key()).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
    store.unavailable = null;
    expect(store.size).toBe(0);
  });

  it('refuses an unreadable stored key instead of replacing it', async () => {
    const store = new MemorySecretStore();
    await store.set(SIGNING_KEY_ACCOUNT, 'bm90IGEga2V5');
    await expect(new EvidenceSigningKey(store).key()).rejects.toThrow(/unreadable; it is never replaced silently/);
    expect(await store.get(SIGNING_KEY_ACCOUNT)).toBe('bm90IGEga2V5');
  });
});

describe('bad inputs to the new channels are refused with a reason', () => {
  const parse = (ch: keyof typeof channels, v: unknown) => channels[ch].input.safeParse(v);
  const msg = (r: ReturnType<typeof parse>) => (r.success ? '' : r.error.issues.map((i) => i.message).join('; '));

  it('identities, times and incident ids', () => {
    expect(parse('incident:blast-radius', { identity: { kind: 'user', value: 'mallory' }, since: '2026-01-01' }).success).toBe(true);
    expect(parse('incident:blast-radius', { identity: { kind: 'group', value: 'x' }, since: '2026-01-01' }).success).toBe(false);
    expect(msg(parse('incident:blast-radius', { identity: { kind: 'address', value: '10.0.0.300' }, since: '2026-01-01' }))).toMatch(/IPv4 or IPv6/);
    expect(msg(parse('incident:blast-radius', { identity: { kind: 'user', value: 'a\u0000b' }, since: '2026-01-01' }))).toMatch(/control characters/);
    expect(msg(parse('incident:blast-radius', { identity: { kind: 'entity', value: '../x' }, since: '2026-01-01' }))).toMatch(/entity id/);
    expect(parse('incident:blast-radius', { identity: { kind: 'user', value: 'm' } }).success).toBe(false);
    expect(msg(parse('incident:preview', { identity: { kind: 'user', value: 'm' }, since: '2026-01-01', incidentId: 'inc 1' }))).toMatch(/INC-2041/);
    expect(parse('incident:preview', { identity: { kind: 'user', value: 'm' }, since: '2026-01-01', incidentId: 'INC-1', extra: 1 }).success).toBe(false);
  });

  it('evidence paths and SOC 2 periods', () => {
    expect(msg(parse('evidence:verify', { pack: '/tmp/x\n.evidence' }))).toMatch(/no control characters/);
    expect(parse('evidence:verify', { pack: '' }).success).toBe(false);
    expect(msg(parse('compliance:secret-access-report', { from: '2026-1-1', to: '2026-01-31' }))).toMatch(/YYYY-MM-DD/);
  });
});
