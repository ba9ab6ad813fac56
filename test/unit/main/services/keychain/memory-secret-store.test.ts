import { describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../../../../../src/main/services/keychain/memory-secret-store';
import { KEYCHAIN_SERVICE } from '../../../../../src/main/services/keychain/secret-store';

describe('MemorySecretStore', () => {
  it('sets, gets, overwrites and deletes', async () => {
    const s = new MemorySecretStore();
    expect(await s.get('session:a')).toBeNull();
    await s.set('session:a', 'v1');
    await s.set('session:a', 'v2');
    expect(await s.get('session:a')).toBe('v2');
    expect(await s.delete('session:a')).toBe(true);
    expect(await s.delete('session:a')).toBe(false);
    expect(s.size).toBe(0);
  });

  it('fails closed with KEYCHAIN_UNAVAILABLE when marked unavailable', async () => {
    const s = new MemorySecretStore();
    s.unavailable = 'no Secret Service';
    await expect(s.check()).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE', message: 'no Secret Service' });
    await expect(s.set('session:a', 'x')).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
    await expect(s.get('session:a')).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
  });

  it('rejects bad accounts and values with BAD_INPUT and never echoes the value', async () => {
    const s = new MemorySecretStore();
    await expect(s.set('has space', 'x')).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(s.set('a', '')).rejects.toMatchObject({ code: 'BAD_INPUT' });
    const big = `SECRET${'x'.repeat(70_000)}`;
    const err = await s.set('a', big).catch((e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'BAD_INPUT' });
    expect((err as Error).message).not.toContain('SECRET');
  });

  it('uses the vault-console service name', () => {
    expect(KEYCHAIN_SERVICE).toBe('vault-console');
  });
});
