// DKIM key records as DNS carries them (RFC 6376 section 3.6). A TXT record is a list
// of strings of at most 255 bytes; a verifier concatenates them with nothing in between
// (3.6.2.2) and then reads the tag list (3.2). These functions compare what a resolver
// answered with the key Vault holds, and write the records for a zone file or a CSV.
// Pure: no network, no Vault.
import { csvCell } from '../audit/export-format';
import { splitTxt, TXT_STRING_MAX } from '../../../shared/inventory/dns-txt';

export type TxtMatch =
  | { state: 'published'; detail: string }
  | { state: 'mismatch'; detail: string }
  | { state: 'missing'; detail: string };

/** RFC 6376 3.6.2.2: "Strings in a TXT RR MUST be concatenated together before use with no intervening whitespace." */
export function joinTxtStrings(strings: readonly string[]): string {
  return strings.join('');
}

const TAG_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** The tag list of 3.2: "v=DKIM1; k=rsa; p=…". null when it is not a valid tag list (e.g. a tag twice). */
export function parseTagList(text: string): Map<string, string> | null {
  const tags = new Map<string, string>();
  const parts = text.split(';');
  // A trailing ";" is allowed: the last part is then empty.
  if (parts.length > 1 && parts.at(-1)!.trim() === '') parts.pop();
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq < 0) return null;
    const name = part.slice(0, eq).trim();
    if (!TAG_NAME.test(name) || tags.has(name)) return null;
    tags.set(name, part.slice(eq + 1).trim());
  }
  return tags;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The p= value without folding white space; null when there is none or it is not base64. */
export function publicKeyOf(txt: string): string | null {
  const tags = parseTagList(txt);
  const p = tags?.get('p');
  if (p === undefined) return null;
  const compact = p.replace(/[ \t\r\n]+/g, '');
  return BASE64.test(compact) && compact.length % 4 === 0 ? compact : null;
}

function sameKey(a: string, b: string): boolean {
  return Buffer.from(a, 'base64').equals(Buffer.from(b, 'base64'));
}

/**
 * What one resolver's answer means for the key whose p= is `expectedP`. `records` is the
 * RRset as the resolver gave it: each record a list of strings.
 */
export function matchRecords(records: readonly (readonly string[])[], expectedP: string): TxtMatch {
  if (records.length === 0) return { state: 'missing', detail: 'no TXT record' };
  if (records.length > 1) {
    return { state: 'mismatch', detail: `${records.length} TXT records at this name; RFC 6376 leaves the result undefined, so verifiers may not use this key` };
  }
  const txt = joinTxtStrings(records[0]!);
  const tags = parseTagList(txt);
  if (!tags) return { state: 'mismatch', detail: 'the TXT record is not a DKIM tag list' };
  const v = tags.get('v');
  if (v !== undefined && (v !== 'DKIM1' || [...tags.keys()][0] !== 'v')) return { state: 'mismatch', detail: 'v= is not DKIM1 as the first tag' };
  const k = tags.get('k');
  if (k !== undefined && k !== 'rsa') return { state: 'mismatch', detail: `k=${k.replace(/[^A-Za-z0-9._-]/g, '?').slice(0, 20)} but the key is RSA` };
  const p = publicKeyOf(txt);
  if (p === null) return { state: 'mismatch', detail: 'no valid p= value' };
  if (p === '') return { state: 'mismatch', detail: 'p= is empty: the key is revoked in DNS' };
  if (!sameKey(p, expectedP)) return { state: 'mismatch', detail: 'p= holds a different public key' };
  return { state: 'published', detail: records[0]!.length > 1 ? `matches (${records[0]!.length} strings joined)` : 'matches' };
}

/** The strings a zone file needs: at most 255 bytes each (a TXT character-string's limit); the UI splits the same way. */
export function txtChunks(value: string, max = TXT_STRING_MAX): string[] {
  return splitTxt(value, max);
}

/**
 * A character-string in zone-file syntax (RFC 1035 5.1): quoted, \ and " escaped, and every
 * byte outside printable ASCII as \DDD, so a value can never end the line or the string and
 * smuggle another record into the zone.
 */
function zoneString(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte >= 0x20 && byte <= 0x7e) out += String.fromCharCode(byte);
    else out += `\\${String(byte).padStart(3, '0')}`;
  }
  return `"${out}"`;
}

export interface RecordToPublish {
  tenantId: string;
  domain: string;
  /** Owner name without the final dot: <selector>._domainkey.<domain>. */
  name: string;
  value: string;
  /** new: publish now; previous: keep until the grace ends. */
  role: 'new' | 'previous';
  note: string;
}

const NAME_RE = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9])?$/;

export function checkedName(name: string): string {
  // Names come from Vault; one that is not a DNS name must not reach a zone file as something else.
  if (!NAME_RE.test(name) || name.includes('..')) throw new Error(`not a DNS name: ${JSON.stringify(name.slice(0, 80))}`);
  return name;
}

/** One zone-file fragment: absolute owner names, each value split into 255-byte strings. */
export function zoneFragment(records: readonly RecordToPublish[], header: string): string {
  const lines = header.split('\n').map((l) => `; ${l.replace(/[\r\n]/g, ' ')}`);
  for (const r of records) {
    lines.push(`; ${r.tenantId} ${r.domain}: ${r.note.replace(/[\r\n]/g, ' ')}`);
    lines.push(`${checkedName(r.name)}. IN TXT ( ${txtChunks(r.value).map(zoneString).join(' ')} )`);
  }
  return `${lines.join('\n')}\n`;
}

export const RECORDS_CSV_COLUMNS = ['tenant', 'domain', 'role', 'name', 'type', 'value', 'zone_strings', 'note'] as const;

/** The same records as CSV (RFC 4180, formula-safe cells); zone_strings is the value as a zone file writes it. */
export function recordsCsv(records: readonly RecordToPublish[]): string {
  const rows = [RECORDS_CSV_COLUMNS.join(',')];
  for (const r of records) {
    const cells = [r.tenantId, r.domain, r.role, checkedName(r.name), 'TXT', r.value, txtChunks(r.value).map(zoneString).join(' '), r.note];
    rows.push(cells.map((c) => csvCell(c)).join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}
