// Attack: someone with write access to one tenant's DKIM secret (or a hostile DNS answer)
// plants a value that, pasted into a zone file or a spreadsheet or shown in a terminal,
// becomes something else: a second record (NS/MX hijack), a formula, an escape sequence.
// The zone fragment keeps every value inside one quoted string on one line, names that
// are not DNS names never reach it, CSV cells are formula-safe, and text taken from a DNS
// answer is reduced to safe characters before it is shown.
import { describe, expect, it } from 'vitest';
import { matchRecords, recordsCsv, zoneFragment } from '../../../../../src/main/services/dkim-dns/dkim-txt';

const base = { tenantId: 't-000001', domain: 'mail.example.com', role: 'new' as const, name: 'pm202612._domainkey.mail.example.com', note: 'New key' };

describe('a hostile DKIM value cannot inject zone records', () => {
  it('a value with quotes, new lines and control bytes stays one quoted string on one line', () => {
    const evil = 'v=DKIM1; p=AAAA" )\n@ IN NS ns.attacker.example. ; \u0007\u001b[31m';
    const zone = zoneFragment([{ ...base, value: evil }], 'job');
    const recordLines = zone.split('\n').filter((l) => !l.startsWith(';') && l !== '');
    expect(recordLines).toHaveLength(1);
    expect(recordLines[0]).toMatch(/^pm202612\._domainkey\.mail\.example\.com\. IN TXT \( "(?:[^"\\]|\\.)*" \)$/);
    expect(recordLines[0]).toContain('\\"');
    expect(recordLines[0]).toContain('\\010');
    expect(recordLines[0]).toContain('\\027');
    // The note and header cannot break out of their comment either.
    const z2 = zoneFragment([{ ...base, value: 'v=DKIM1; p=AAAA', note: 'x\n@ IN NS evil.' }], 'h\r\n@ IN A 6.6.6.6');
    expect(z2.split('\n').filter((l) => l !== '' && !l.startsWith(';'))).toHaveLength(1);
  });

  it('an owner name that is not a DNS name is refused', () => {
    for (const name of ['x.example.com. IN NS evil', 'a..b', 'x.example.com\n@', '-bad.example.com.', '']) {
      expect(() => zoneFragment([{ ...base, name, value: 'v=DKIM1; p=AAAA' }], 'job'), JSON.stringify(name)).toThrow(/not a DNS name/);
    }
  });

  it('CSV cells cannot start a formula', () => {
    const csv = recordsCsv([{ ...base, value: '=cmd|"/c calc"!A1', note: '@SUM(1)' }]);
    expect(csv).toContain(`"'=cmd|""/c calc""!A1"`);
    expect(csv).toContain("'@SUM(1)");
  });

  it('text from a DNS answer is shown only as safe characters', () => {
    const m = matchRecords([['v=DKIM1; k=\u001b]0;owned\u0007; p=AAAA']], 'AAAA');
    expect(m.state).toBe('mismatch');
    // eslint-disable-next-line no-control-regex
    expect(m.detail).not.toMatch(/[\u0000-\u001f\u007f]/);
  });
});
