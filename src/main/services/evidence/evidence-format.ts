// The evidence pack format (docs/evidence-packs.md). A pack is a folder:
//
//   manifest.json   what the pack holds: the query, time range, counts, the SHA-256 of
//                   each source file imported, the audit source the events were read
//                   from, the chain head, each other file's SHA-256, the signer's public
//                   key and fingerprint
//   manifest.sig    Ed25519 signature of manifest.json's exact bytes (base64, one line)
//   events.ndjson   one event per line, hash-chained:
//                   {"seq":N,"prev":"<hex>","event":{…},"hash":"<hex>"}
//                   hash = SHA-256 of the line's bytes before ,"hash": (seq, prev and the
//                   event as written); prev = the previous line's hash (64 zeros first)
//   report.*        other files (a SOC 2 report), each named with its SHA-256 in the manifest
//
// Every byte of events.ndjson is covered: the hashed part by its own hash, the hash by the
// next line's prev and finally by the signed chain head; so a flipped byte, a deleted or
// inserted line, a swapped pair or a cut-off end each break the chain at a named record.
// Built with Node's crypto only (SHA-256, Ed25519).
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

export const PACK_FORMAT = 'vault-console-evidence';
export const PACK_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';
export const EVENTS_FILE = 'events.ndjson';
export const GENESIS = '0'.repeat(64);
/** A pack's file names: plain names, so a hostile manifest can never point outside the pack. */
export const FILE_NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** Lines longer than this are malformed (an event is a few hundred bytes). */
export const MAX_LINE_BYTES = 1 << 20;
export const MAX_MANIFEST_BYTES = 4 << 20;

export type PackKind = 'audit-query' | 'soc2-report';

export interface PackFileEntry {
  name: string;
  sha256: string;
  bytes: number;
}

export interface PackSource {
  file: string;
  sha256: string | null;
  format: string;
  events: number;
  imported_at: string;
}

/** Where a pack's events were read: the local store or a VictoriaLogs endpoint (its label). */
export interface PackEventSource {
  kind: 'local' | 'victorialogs';
  /** "local store" or "VictoriaLogs at host:port {cluster=\"x\"}". */
  label: string;
}

export const LOCAL_EVENT_SOURCE: PackEventSource = { kind: 'local', label: 'local store' };

export interface Manifest {
  format: typeof PACK_FORMAT;
  version: typeof PACK_VERSION;
  kind: PackKind;
  created_at: string;
  query: Record<string, unknown>;
  time_range: { from: string | null; to: string | null; first_event: string | null; last_event: string | null };
  counts: { events: number; by_action: Record<string, number> };
  events: { file: string; records: number; bytes: number; chain_genesis: string; chain_head: string };
  sources: PackSource[];
  /** Absent in packs written before audit sources existed (they were read from the local store). */
  event_source?: PackEventSource;
  files: PackFileEntry[];
  signer: { algorithm: 'Ed25519'; public_key: string; fingerprint: string };
}

/** The hashed part of a record: everything before ,"hash":. */
export function recordBody(seq: number, prev: string, eventJson: string): string {
  return `{"seq":${seq},"prev":"${prev}","event":${eventJson}`;
}

export function recordLine(body: string, hash: string): string {
  return `${body},"hash":"${hash}"}\n`;
}

/** The trailer after the body: ,"hash":"<64 hex>"} */
export const HASH_TRAILER_BYTES = 9 + 64 + 2;

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The manifest as signed: fixed key order (as built), two-space indent, one trailing newline. */
export function manifestBytes(m: Manifest): Buffer {
  return Buffer.from(`${JSON.stringify(m, null, 2)}\n`, 'utf8');
}

/** "SHA256:<base64, no padding>" of the raw 32-byte Ed25519 public key, as OpenSSH prints fingerprints. */
export function fingerprintOf(publicKey: KeyObject): string {
  const raw = rawEd25519(publicKey);
  return `SHA256:${createHash('sha256').update(raw).digest('base64').replace(/=+$/, '')}`;
}

/** The 32 key bytes of an Ed25519 public key (the end of its SPKI DER). */
export function rawEd25519(publicKey: KeyObject): Buffer {
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return der.subarray(der.length - 32);
}

export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

/** An Ed25519 public key from a PEM file's text or the manifest's base64 SPKI DER; null when it is neither. */
export function parsePublicKey(text: string): KeyObject | null {
  const t = text.trim();
  try {
    const key = t.startsWith('-----BEGIN') ? createPublicKey({ key: t, format: 'pem' }) : createPublicKey({ key: Buffer.from(t, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}
