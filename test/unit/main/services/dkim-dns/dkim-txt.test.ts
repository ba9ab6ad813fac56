// DKIM key records as DNS carries them: joined strings (RFC 6376 3.6.2.2), the tag list,
// p= compared as a key, and the zone-file / CSV forms with 255-byte strings.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { joinTxtStrings, matchRecords, parseTagList, publicKeyOf, recordsCsv, txtChunks, zoneFragment } from '../../../../../src/main/services/dkim-dns/dkim-txt';
import { dkimTxtFromPrivateKey } from '../../../../../src/main/services/keys/dkim';

function key(): { txt: string; p: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const txt = dkimTxtFromPrivateKey(privateKey);
  return { txt, p: publicKeyOf(txt)! };
}

describe('DKIM TXT records', () => {
  const a = key();
  const b = key();

  it('joins a record split across strings with nothing in between, then matches the key', () => {
    const parts = [a.txt.slice(0, 17), a.txt.slice(17, 100), a.txt.slice(100)];
    expect(joinTxtStrings(parts)).toBe(a.txt);
    expect(matchRecords([parts], a.p)).toEqual({ state: 'published', detail: 'matches (3 strings joined)' });
  });

  it('a split that would need a space to rejoin is a different key (no whitespace is inserted)', () => {
    // "p=AB" + "CD" is p=ABCD; had the strings been joined with a space, folding white space would hide it.
    const spaced = [`${a.txt.slice(0, 40)} `, a.txt.slice(40)];
    // Folding white space inside p= is allowed by 3.6.1 and ignored when comparing.
    expect(matchRecords([spaced], a.p).state).toBe('published');
    const cut = [a.txt.slice(0, 40), a.txt.slice(41)];
    expect(matchRecords([cut], a.p).state).toBe('mismatch');
  });

  it('another key, a revoked key, several records, junk and no record are told apart', () => {
    expect(matchRecords([[b.txt]], a.p)).toMatchObject({ state: 'mismatch', detail: 'p= holds a different public key' });
    expect(matchRecords([['v=DKIM1; k=rsa; p=']], a.p)).toMatchObject({ state: 'mismatch', detail: expect.stringContaining('revoked') });
    expect(matchRecords([[a.txt], [b.txt]], a.p)).toMatchObject({ state: 'mismatch', detail: expect.stringContaining('2 TXT records') });
    expect(matchRecords([['hello world']], a.p).state).toBe('mismatch');
    expect(matchRecords([[`k=ed25519; ${a.txt.slice(a.txt.indexOf('p='))}`]], a.p)).toMatchObject({ state: 'mismatch', detail: expect.stringContaining('k=ed25519') });
    expect(matchRecords([[`k=rsa; v=DKIM1; ${a.txt.slice(a.txt.indexOf('p='))}`]], a.p)).toMatchObject({ state: 'mismatch', detail: expect.stringContaining('first tag') });
    expect(matchRecords([], a.p).state).toBe('missing');
  });

  it('parses the tag list as RFC 6376 3.2 says: white space around, trailing ";", no tag twice', () => {
    expect(parseTagList(' v = DKIM1 ;k=rsa;  p=AAAA ;')).toEqual(new Map([['v', 'DKIM1'], ['k', 'rsa'], ['p', 'AAAA']]));
    expect(parseTagList('p=AAAA; p=BBBB')).toBeNull();
    expect(parseTagList('1x=foo')).toBeNull();
    expect(publicKeyOf('v=DKIM1; p=AB CD\r\n E==')).toBeNull(); // length not a multiple of 4
    expect(publicKeyOf('v=DKIM1; p=ABCD EFGH')).toBe('ABCDEFGH');
  });

  it('splits values into strings of at most 255 bytes for zone files', () => {
    const long = 'x'.repeat(600);
    expect(txtChunks(long).map((c) => c.length)).toEqual([255, 255, 90]);
    expect(txtChunks('é'.repeat(200)).every((c) => Buffer.byteLength(c) <= 255)).toBe(true);
    expect(txtChunks('').length).toBe(1);
  });

  it('writes one zone-file fragment and a formula-safe CSV of the records', () => {
    const recs = [
      { tenantId: 't-000001', domain: 'mail.example.com', role: 'new' as const, name: 'pm202612._domainkey.mail.example.com', value: a.txt, note: 'New key: publish now.' },
      { tenantId: 't-000001', domain: 'mail.example.com', role: 'previous' as const, name: 'pm202512._domainkey.mail.example.com', value: b.txt, note: '=HYPERLINK("x")' },
    ];
    const zone = zoneFragment(recs, 'job j-1');
    expect(zone).toContain(`pm202612._domainkey.mail.example.com. IN TXT ( "${txtChunks(a.txt)[0]}"`);
    for (const line of zone.split('\n').filter((l) => l.includes(' IN TXT '))) {
      for (const s of line.match(/"[^"]*"/g)!) expect(Buffer.byteLength(s.slice(1, -1))).toBeLessThanOrEqual(255);
    }
    const csv = recordsCsv(recs);
    expect(csv.split('\r\n')[0]).toBe('tenant,domain,role,name,type,value,zone_strings,note');
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(() => zoneFragment([{ ...recs[0]!, name: 'evil.example.com.\n@ IN NS attacker' }], 'x')).toThrow(/not a DNS name/);
  });
});
