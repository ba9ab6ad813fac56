// A DNS TXT record's value as zone files and DNS providers need it: one TXT record holds
// one or more character-strings of at most 255 bytes each (RFC 1035 §3.3.14, RFC 7208
// §3.3 for the joining); a DKIM key (RSA-2048) is longer, so it is published as several
// quoted strings that resolvers join back without spaces. Pure; the UI shows both forms.

export const TXT_STRING_MAX = 255;

const utf8 = new TextEncoder();

/** Splits into strings of at most `max` UTF-8 bytes, never inside a character. */
export function splitTxt(value: string, max = TXT_STRING_MAX): string[] {
  if (max < 4) throw new Error('max must leave room for one character');
  const out: string[] = [];
  let cur = '';
  let bytes = 0;
  for (const ch of value) {
    const n = utf8.encode(ch).length;
    if (bytes + n > max) {
      out.push(cur);
      cur = '';
      bytes = 0;
    }
    cur += ch;
    bytes += n;
  }
  if (cur !== '' || out.length === 0) out.push(cur);
  return out;
}

/** One character-string as a zone file writes it: in quotes, with " and \ escaped. */
export function quoteTxt(s: string): string {
  return `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** The record in zone-file syntax: `name. IN TXT ( "…" "…" )`, one string per line. */
export function zoneFileTxt(name: string, value: string): string {
  const fqdn = name.endsWith('.') ? name : `${name}.`;
  const parts = splitTxt(value).map(quoteTxt);
  return parts.length === 1 ? `${fqdn} IN TXT ${parts[0]}` : `${fqdn} IN TXT (\n  ${parts.join('\n  ')}\n)`;
}
