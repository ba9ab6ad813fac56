import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, isApiKeyShape } from '../../../../../src/main/services/keys/api-key';
import { randomString } from '../../../../../src/main/services/keys/random-strings';
import { generateSmtpPassword, isSmtpSafePassword, SMTP_PASSWORD_ALPHABET } from '../../../../../src/main/services/keys/smtp-password';

describe('SMTP passwords', () => {
  it('are at least 32 characters from a quoting-free alphabet', () => {
    for (let i = 0; i < 200; i++) {
      const pw = generateSmtpPassword();
      expect(pw).toHaveLength(32);
      expect(isSmtpSafePassword(pw)).toBe(true);
      expect(pw).toMatch(/[A-Z]/);
      expect(pw).toMatch(/[a-z]/);
      expect(pw).toMatch(/[0-9]/);
      expect(pw.startsWith('-')).toBe(false);
    }
    expect(SMTP_PASSWORD_ALPHABET).not.toMatch(/["'`$\\#%=:;& ]/);
  });

  it('refuse lengths under 32', () => {
    expect(() => generateSmtpPassword(31)).toThrow(/at least 32/);
    expect(generateSmtpPassword(48)).toHaveLength(48);
  });
});

describe('random strings', () => {
  it('are deterministic for a given byte source and stay in the alphabet', () => {
    let n = 0;
    const bytes = (len: number) => Buffer.from(Array.from({ length: len }, () => n++ % 256));
    const a = randomString(64, 'abc', bytes);
    n = 0;
    expect(randomString(64, 'abc', bytes)).toBe(a);
    expect(a).toMatch(/^[abc]{64}$/);
  });

  it('skip bytes that would bias the draw (rejection sampling)', () => {
    // 255 is above the largest multiple of 62 (248), so it must never produce a character.
    const out = randomString(3, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', (len) =>
      Buffer.from(Array.from({ length: len }, (_, i) => (i % 2 === 0 ? 255 : 0))),
    );
    expect(out).toBe('AAA');
  });
});

describe('API keys', () => {
  it('have a visible pm_live_ prefix and a 40-character random body', () => {
    const k = generateApiKey();
    expect(isApiKeyShape(k.key)).toBe(true);
    expect(k.key.startsWith('pm_live_')).toBe(true);
    expect(k.prefix).toBe(k.key.slice(0, 12));
    expect(k.keyId).toMatch(/^ak_[0-9a-f]{16}$/);
    expect(generateApiKey({ env: 'test' }).key.startsWith('pm_test_')).toBe(true);
    expect(generateApiKey({ keyId: 'ak_0123456789abcdef' }).keyId).toBe('ak_0123456789abcdef');
    expect(() => generateApiKey({ keyId: '../x' })).toThrow(/API key id/);
  });

  it('are stored as a SHA-256 hash that does not contain the key', () => {
    const k = generateApiKey();
    expect(k.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(k.hash).toBe(hashApiKey(k.key));
    expect(k.hash).not.toContain(k.key.slice(8));
  });
});
