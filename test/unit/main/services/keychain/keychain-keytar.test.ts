// Fail-closed paths of the keytar adapter that need no keychain at all.
import { describe, expect, it } from 'vitest';
import { KeytarSecretStore } from '../../../../../src/main/services/keychain/keychain.keytar';

describe('KeytarSecretStore without a session bus', () => {
  const store = new KeytarSecretStore({ env: {}, platform: 'linux' });

  it('refuses every call with KEYCHAIN_UNAVAILABLE and a one-line reason', async () => {
    for (const call of [() => store.check(), () => store.get('a'), () => store.set('a', 'v'), () => store.delete('a')]) {
      const err = (await call().catch((e: unknown) => e)) as { code: string; message: string };
      expect(err.code).toBe('KEYCHAIN_UNAVAILABLE');
      expect(err.message).toMatch(/D-Bus/);
      expect(err.message).not.toContain('\n');
    }
  });

  it('validates input before judging availability', async () => {
    await expect(store.set('a', '')).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });
});
