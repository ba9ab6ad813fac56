import { describe, expect, it } from 'vitest';
import { quoteTxt, splitTxt, zoneFileTxt } from '../../../../src/shared/inventory/dns-txt';

const DKIM = `v=DKIM1; k=rsa; p=${'A'.repeat(392)}`;

describe('TXT values split for zone files', () => {
  it('cuts a DKIM key into strings of at most 255 characters that join back to the value', () => {
    const parts = splitTxt(DKIM);
    expect(parts.map((p) => p.length)).toEqual([255, DKIM.length - 255]);
    expect(parts.join('')).toBe(DKIM);
  });

  it('keeps a short value whole and never splits inside a multi-byte character', () => {
    expect(splitTxt('v=spf1 -all')).toEqual(['v=spf1 -all']);
    const s = 'é'.repeat(200); // 400 bytes
    const parts = splitTxt(s);
    expect(parts.every((p) => new TextEncoder().encode(p).length <= 255)).toBe(true);
    expect(parts.join('')).toBe(s);
  });

  it('writes the record as a zone file does: quoted, escaped, one string per line', () => {
    expect(quoteTxt('a "b" \\c')).toBe('"a \\"b\\" \\\\c"');
    const zone = zoneFileTxt('pm202611._domainkey.example.com', DKIM);
    expect(zone.split('\n')).toHaveLength(4);
    expect(zone.startsWith('pm202611._domainkey.example.com. IN TXT (')).toBe(true);
    expect(zoneFileTxt('x.example.com.', 'short')).toBe('x.example.com. IN TXT "short"');
  });
});
