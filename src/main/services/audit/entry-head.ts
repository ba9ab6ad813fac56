// An audit entry too big to parse whole (a client can make one: every query
// parameter or body key becomes an HMAC in the log, so a 1 MB query string turns
// into a 20 MB line) must still become an event, or a read or a delete could hide
// behind it. Vault writes the fields that say who did what first (time, type, auth,
// request id, operation, mount, namespace, path) and the request data after them;
// the outcome (error) is the line's last field. So the line splitter hands over the
// line's first and last 64 KiB, and this reads them:
//  - the head with a structural JSON scanner (keys are matched by their position
//    in the document, so a value or key inside the request data can never pose as
//    the request's path or identity), stopping where the head ends;
//  - the tail for the error (anchored at the very end of the line), the remote
//    address and the console header (values whose form a client's HMAC'd data
//    cannot take).
import type { VaultAuditEntry } from './audit-mapping';

const WANTED = new Set([
  'time',
  'type',
  'auth.display_name',
  'auth.entity_id',
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

/**
 * Scalar values at the wanted key paths of a JSON document's prefix ("request.path",
 * array elements as "auth.policies.[]"). Never throws; stops at the end of the buffer.
 */
export function scanJsonPrefix(buf: Buffer, wanted: ReadonlySet<string> = WANTED): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  const stack: Frame[] = [];
  const pathOf = (leaf: string) => [...stack.slice(1).map((f) => f.key), leaf].filter((k) => k !== '').join('.');
  let i = 0;
  const n = buf.length;
  const skipWs = () => {
    while (i < n && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09)) i++;
  };
  /** End index (exclusive) of the string starting at i (a quote), or -1 if cut off. */
  const stringEnd = (from: number): number => {
    let j = from + 1;
    while (j < n) {
      const c = buf[j]!;
      if (c === 0x5c) j += 2;
      else if (c === 0x22) return j + 1;
      else j++;
    }
    return -1;
  };
  /** A string literal [from, to) (quotes included); one longer than MAX_VALUE (or cut off by the head) keeps its start, marked with "…". */
  const decode = (from: number, to: number): string | null => {
    const whole = to > from && to - from <= MAX_VALUE;
    let body = buf.toString('utf8', from + 1, whole ? to - 1 : Math.min(to < 0 ? n : to, from + 1 + MAX_VALUE));
    if (!whole) body = body.replace(/\\(u[0-9a-fA-F]{0,3})?$/, '');
    try {
      const v = JSON.parse(`"${body}"`) as unknown;
      return typeof v === 'string' ? (whole ? v : `${v}…`) : null;
    } catch {
      return null;
    }
  };
  const record = (path: string, v: unknown) => {
    if (!wanted.has(path)) return;
    const list = out.get(path) ?? [];
    if (list.length < 64) list.push(v);
    out.set(path, list);
  };
  let pendingKey = '';
  while (i < n) {
    skipWs();
    if (i >= n) break;
    const top = stack.at(-1);
    const c = buf[i]!;
    if (top?.kind === 'obj' && top.expectKey) {
      if (c === 0x7d) {
        stack.pop();
        i++;
        continue;
      }
      if (c === 0x2c) {
        i++;
        continue;
      }
      if (c !== 0x22) return out;
      const end = stringEnd(i);
      if (end < 0) return out;
      pendingKey = decode(i, end) ?? '\u0000';
      i = end;
      skipWs();
      if (buf[i] !== 0x3a) return out;
      i++;
      top.expectKey = false;
      continue;
    }
    if (top?.kind === 'arr' && (c === 0x2c || c === 0x5d)) {
      if (c === 0x5d) stack.pop();
      i++;
      continue;
    }
    // A value: its name is the pending key in an object, "[]" in an array.
    const leaf = top?.kind === 'arr' ? '[]' : top ? pendingKey : '';
    if (top?.kind === 'obj') top.expectKey = true;
    if (c === 0x7b || c === 0x5b) {
      if (stack.length >= MAX_DEPTH) return out;
      stack.push({ kind: c === 0x7b ? 'obj' : 'arr', key: leaf, expectKey: c === 0x7b });
      i++;
      continue;
    }
    if (c === 0x22) {
      const end = stringEnd(i);
      const path = pathOf(leaf);
      if (end < 0) {
        // The head ends inside this string: what there is of it.
        if (wanted.has(path)) {
          const v = decode(i, -1);
          if (v !== null) record(path, v);
        }
        return out;
      }
      if (wanted.has(path)) {
        const v = decode(i, end);
        if (v !== null) record(path, v);
      }
      i = end;
      continue;
    }
    // A number, true, false or null.
    let j = i;
    while (j < n && buf[j] !== 0x2c && buf[j] !== 0x7d && buf[j] !== 0x5d && buf[j] !== 0x20 && buf[j] !== 0x0a) j++;
    if (j >= n) return out;
    const tok = buf.toString('latin1', i, j);
    const path = pathOf(leaf);
    if (wanted.has(path)) record(path, tok === 'true' ? true : tok === 'false' ? false : tok === 'null' ? null : Number(tok));
    i = j;
    // Close the object or array whose value this was; ',' is handled above.
    if (buf[i] === 0x7d && stack.at(-1)?.kind === 'obj') {
      stack.pop();
      i++;
    }
  }
  return out;
}

const ERROR_AT_END = /"error":"((?:[^"\\]|\\.){0,4000})"(?:,"forwarded":(?:true|false))?\}\s*$/;
const REMOTE_ADDRESS = /"remote_address":"([0-9A-Fa-f.:[\]%]{1,64})"/g;
const CONSOLE_HEADER = /"x-vault-console-action":\[((?:"[A-Za-z0-9=;._ -]{0,200}",?){1,16})\]/g;

/** What an oversized entry's head and tail tell; null when the head is not a Vault audit entry. */
export function entryFromHeadAndTail(head: Buffer, tail: Buffer): VaultAuditEntry | null {
  const m = scanJsonPrefix(head);
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
