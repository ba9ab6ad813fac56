// An audit entry too big to parse whole (a client can make one: every query
// parameter or body key becomes an HMAC in the log, so a 1 MB query string turns
// into a 20 MB line; a token minted with megabytes of metadata makes every one of its
// entries that big) must still become an event, or a read or a delete could hide
// behind it. The line splitter streams such a line through:
//  - a structural JSON scanner (JsonFieldScanner) that keeps only the fields an event
//    needs, wherever they are in the line (keys are matched by their position in the
//    document, so a value or key inside the request data can never pose as the
//    request's path or identity), and holds nothing else;
//  - the line's last 64 KiB, for the error (anchored at the very end of the line: the
//    outcome is an entry's last field), and, when the scanner stopped early, the
//    remote address and the console header (values whose form a client's HMAC'd data
//    cannot take).
import type { VaultAuditEntry } from './audit-mapping';

const WANTED = new Set([
  'time',
  'type',
  'auth.display_name',
  'auth.entity_id',
  'auth.accessor',
  'auth.client_token',
  'auth.metadata.username',
  'auth.policies.[]',
  'auth.token_policies.[]',
  'auth.identity_policies.[]',
  'request.id',
  'request.operation',
  'request.path',
  'request.mount_point',
  'request.mount_type',
  'request.mount_class',
  'request.namespace.path',
  'request.remote_address',
  'request.headers.x-vault-console-action.[]',
  'error',
]);

const MAX_VALUE = 8192;
const MAX_DEPTH = 64;

interface Frame {
  kind: 'obj' | 'arr';
  key: string;
  /** Object: the next string is a key. */
  expectKey: boolean;
}

const WS = new Set([0x20, 0x0a, 0x0d, 0x09]);

/**
 * A streaming structural JSON scanner: fed a document in chunks of any size, it keeps
 * only the scalar values at the wanted key paths ("request.path", array elements as
 * "auth.policies.[]"), each at most MAX_VALUE bytes (a longer one keeps its start,
 * marked "…"), and never holds anything else: an entry whose auth block a client made
 * huge (a token minted with megabytes of metadata) is read to its request fields all
 * the same. Never throws; stops at malformed input or nesting deeper than MAX_DEPTH.
 */
export class JsonFieldScanner {
  private readonly out = new Map<string, unknown[]>();
  private readonly stack: Frame[] = [];
  private state: 'value' | 'string' | 'colon' | 'primitive' | 'done' = 'value';
  private pendingKey = '';
  private strIsKey = false;
  /** The wanted path of the string or primitive being read ('' when it is not wanted). */
  private path = '';
  private escape = false;
  private parts: Buffer[] = [];
  private partLen = 0;
  private truncated = false;

  constructor(private readonly wanted: ReadonlySet<string> = WANTED) {}

  result(): Map<string, unknown[]> {
    // A string cut off by the end of input: what there is of it.
    if (this.state === 'string' && !this.strIsKey && this.path) this.record(this.path, this.decode(true));
    return this.out;
  }

  private pathOf(leaf: string): string {
    let p = '';
    for (let k = 1; k < this.stack.length; k++) p += `${this.stack[k]!.key}.`;
    return p + leaf;
  }

  private record(path: string, v: unknown): void {
    if (v === null && this.state === 'string') return;
    const list = this.out.get(path) ?? [];
    if (list.length < 64) list.push(v);
    this.out.set(path, list);
  }

  private keep(b: Buffer): void {
    if (this.partLen >= MAX_VALUE) {
      this.truncated = true;
      return;
    }
    const room = MAX_VALUE - this.partLen;
    const piece = b.length > room ? b.subarray(0, room) : b;
    if (b.length > room) this.truncated = true;
    this.parts.push(Buffer.from(piece));
    this.partLen += piece.length;
  }

  private decode(cut: boolean): string | null {
    let body = Buffer.concat(this.parts).toString('utf8');
    const partial = cut || this.truncated;
    if (partial) body = body.replace(/\\(u[0-9a-fA-F]{0,3})?$/, '');
    try {
      const v = JSON.parse(`"${body}"`) as unknown;
      return typeof v === 'string' ? (partial ? `${v}…` : v) : null;
    } catch {
      return null;
    }
  }

  push(buf: Buffer): void {
    const n = buf.length;
    let i = 0;
    while (i < n && this.state !== 'done') {
      if (this.state === 'string') {
        // Jump to the next quote or backslash.
        let j = i;
        if (this.escape) {
          this.escape = false;
          j++;
        }
        while (j < n && buf[j] !== 0x22 && buf[j] !== 0x5c) j++;
        if (j < n && buf[j] === 0x5c) {
          if (this.strIsKey || this.path) this.keep(buf.subarray(i, Math.min(n, j + 2)));
          if (j + 1 >= n) this.escape = true;
          i = j + 2;
          continue;
        }
        if (this.strIsKey || this.path) this.keep(buf.subarray(i, j));
        if (j >= n) return;
        i = j + 1;
        this.endString();
        continue;
      }
      const c = buf[i]!;
      if (this.state === 'primitive') {
        if (c === 0x2c || c === 0x7d || c === 0x5d || WS.has(c)) {
          if (this.path) {
            const tok = Buffer.concat(this.parts).toString('latin1');
            this.record(this.path, tok === 'true' ? true : tok === 'false' ? false : tok === 'null' ? null : Number(tok));
          }
          this.state = 'value';
          continue; // the delimiter is read again as structure
        }
        if (this.path && this.partLen < 64) this.keep(buf.subarray(i, i + 1));
        i++;
        continue;
      }
      if (WS.has(c)) {
        i++;
        continue;
      }
      if (this.state === 'colon') {
        if (c !== 0x3a) {
          this.state = 'done';
          return;
        }
        this.stack.at(-1)!.expectKey = false;
        this.state = 'value';
        i++;
        continue;
      }
      // state 'value': a key, a value, or the structure around them.
      const top = this.stack.at(-1);
      i++;
      if (top?.kind === 'obj' && top.expectKey) {
        if (c === 0x7d) this.stack.pop();
        else if (c === 0x22) this.startString(true, '');
        else if (c !== 0x2c) this.state = 'done';
        continue;
      }
      if (top?.kind === 'arr' && (c === 0x2c || c === 0x5d)) {
        if (c === 0x5d) this.stack.pop();
        continue;
      }
      const leaf = top?.kind === 'arr' ? '[]' : top ? this.pendingKey : '';
      if (top?.kind === 'obj') top.expectKey = true;
      if (c === 0x7b || c === 0x5b) {
        if (this.stack.length >= MAX_DEPTH) this.state = 'done';
        else this.stack.push({ kind: c === 0x7b ? 'obj' : 'arr', key: leaf, expectKey: c === 0x7b });
        continue;
      }
      const path = this.pathOf(leaf);
      const wanted = this.wanted.has(path) ? path : '';
      if (c === 0x22) {
        this.startString(false, wanted);
        continue;
      }
      this.parts = [];
      this.partLen = 0;
      this.path = wanted;
      this.state = 'primitive';
      i--;
    }
  }

  private startString(isKey: boolean, path: string): void {
    this.state = 'string';
    this.strIsKey = isKey;
    this.path = path;
    this.escape = false;
    this.parts = [];
    this.partLen = 0;
    this.truncated = false;
  }

  private endString(): void {
    if (this.strIsKey) {
      // A key too long to be one of ours never matches.
      this.pendingKey = this.truncated ? '\u0000' : (this.decode(false) ?? '\u0000');
      this.state = 'colon';
    } else {
      if (this.path) this.record(this.path, this.decode(false));
      this.state = 'value';
    }
    this.parts = [];
    this.partLen = 0;
  }
}

/** The wanted values of a document's prefix (a buffer that may end anywhere). */
export function scanJsonPrefix(buf: Buffer, wanted: ReadonlySet<string> = WANTED): Map<string, unknown[]> {
  const s = new JsonFieldScanner(wanted);
  s.push(buf);
  return s.result();
}

const ERROR_AT_END = /"error":"((?:[^"\\]|\\.){0,4000})"(?:,"forwarded":(?:true|false))?\}\s*$/;
const REMOTE_ADDRESS = /"remote_address":"([0-9A-Fa-f.:[\]%]{1,64})"/g;
const CONSOLE_HEADER = /"x-vault-console-action":\[((?:"[A-Za-z0-9=;._ -]{0,200}",?){1,16})\]/g;

/** What an oversized entry's head and tail tell; null when the head is not a Vault audit entry. */
export function entryFromHeadAndTail(head: Buffer, tail: Buffer): VaultAuditEntry | null {
  return entryFromScan(scanJsonPrefix(head), tail);
}

/** What a scan of a whole oversized entry and its last bytes tell; null when it is not a Vault audit entry. */
export function entryFromScan(m: Map<string, unknown[]>, tail: Buffer): VaultAuditEntry | null {
  const one = (k: string): string | undefined => {
    const v = m.get(k)?.[0];
    return typeof v === 'string' ? v : undefined;
  };
  const list = (k: string): string[] => (m.get(k) ?? []).filter((v): v is string => typeof v === 'string');
  const type = one('type');
  const time = one('time');
  const id = one('request.id');
  if ((type !== 'request' && type !== 'response') || !time || !id) return null;
  const tailText = tail.toString('utf8');
  let error = one('error');
  const e = ERROR_AT_END.exec(tailText);
  if (e) {
    try {
      error = JSON.parse(`"${e[1]}"`) as string;
    } catch {
      error = 'unreadable error';
    }
  }
  let remote = one('request.remote_address');
  for (const r of tailText.matchAll(REMOTE_ADDRESS)) remote ??= r[1];
  let header = list('request.headers.x-vault-console-action.[]');
  if (header.length === 0) {
    for (const h of tailText.matchAll(CONSOLE_HEADER)) {
      header = [...h[1]!.matchAll(/"([^"]*)"/g)].map((x) => x[1]!);
    }
  }
  const username = one('auth.metadata.username');
  const entry: VaultAuditEntry = {
    time,
    type,
    ...(error ? { error } : {}),
    auth: {
      display_name: one('auth.display_name'),
      entity_id: one('auth.entity_id'),
      accessor: one('auth.accessor'),
      client_token: one('auth.client_token'),
      metadata: username !== undefined ? { username } : null,
      policies: list('auth.policies.[]'),
      token_policies: list('auth.token_policies.[]'),
      identity_policies: list('auth.identity_policies.[]'),
    },
    request: {
      id,
      operation: one('request.operation'),
      path: one('request.path'),
      mount_point: one('request.mount_point'),
      mount_type: one('request.mount_type'),
      mount_class: one('request.mount_class'),
      namespace: { path: one('request.namespace.path') },
      remote_address: remote,
      headers: header.length ? { 'x-vault-console-action': header } : null,
    },
  };
  // A response entry whose outcome part was out of reach: its data is unknown, never "not found".
  if (type === 'response') entry.response = { data: { oversized: true } };
  return entry;
}
