import { describe, expect, it } from 'vitest';
import { SecretBuffer } from '../../../../../src/main/services/reveal/secret-buffer';

describe('SecretBuffer', () => {
  it('zero-fills its bytes on wipe and refuses to reveal afterwards', () => {
    const s = new SecretBuffer('pässword-123');
    const bytes = s.bytesForTest()!;
    expect(s.reveal()).toBe('pässword-123');
    s.wipe();
    expect([...bytes].every((b) => b === 0)).toBe(true);
    expect(s.wiped).toBe(true);
    expect(() => s.reveal()).toThrow(/wiped/);
    s.wipe();
  });

  it('compares in constant time and never matches once wiped', () => {
    const s = new SecretBuffer('abc');
    expect(s.equals('abc')).toBe(true);
    expect(s.equals('abd')).toBe(false);
    expect(s.equals('abcd')).toBe(false);
    s.wipe();
    expect(s.equals('abc')).toBe(false);
  });

  it('owns its memory (not a slice of the shared Buffer pool)', () => {
    const s = new SecretBuffer('short');
    expect(s.bytesForTest()!.buffer.byteLength).toBe(5);
  });
});
