// Streaming AES-256-GCM in frames ("VCB1", documented in docs/backups.md). GCM
// authenticates a whole message, so a multi-gigabyte snapshot is cut into frames,
// each sealed on its own: a frame's plaintext is released only after its tag
// verified. The frame index and a "final" flag are in each frame's AAD, so a
// reordered, dropped, repeated or truncated frame fails authentication.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { AppError } from '../../../shared/errors';

export const MAGIC = Buffer.from('VCB1', 'ascii');
export const DEFAULT_FRAME_SIZE = 1024 * 1024;
const MAX_FRAME_SIZE = 16 * 1024 * 1024;
const MAX_HEADER = 64 * 1024;
const NONCE_LEN = 12;
const TAG_LEN = 16;
const FRAME_HEAD = 4 + 1 + NONCE_LEN; // plaintext length, flags, nonce
const FLAG_FINAL = 1;

/** Non-secret facts about a backup, stored in clear at the start of the object and authenticated by every frame. */
export interface BackupHeader {
  v: 1;
  alg: 'AES-256-GCM';
  frameSize: number;
  kind: 'raft' | 'logical';
  backupId: string;
  createdAt: string;
  /** The data key wrapped by Vault transit ("vault:v1:..."): useless without the transit key. */
  wrappedKey: string;
  transitKey: string;
  /** For logical backups: the KV v2 mount it came from. */
  mount?: string;
}

/** Thrown for anything wrong with the bytes of a backup: tampering, truncation, a bit flip. */
export class IntegrityError extends AppError {
  constructor(message: string) {
    super('INTEGRITY_FAILED', `Backup integrity check failed: ${message}`);
    this.name = 'IntegrityError';
  }
}

function aad(headerHash: Buffer, index: bigint, final: boolean): Buffer {
  const b = Buffer.alloc(32 + 8 + 1);
  headerHash.copy(b, 0);
  b.writeBigUInt64BE(index, 32);
  b[40] = final ? 1 : 0;
  return b;
}

function nonceFor(prefix: Buffer, index: bigint): Buffer {
  const n = Buffer.alloc(NONCE_LEN);
  prefix.copy(n, 0, 0, 4);
  n.writeBigUInt64BE(index, 4);
  return n;
}

export function encodeHeader(header: BackupHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length);
  return Buffer.concat([MAGIC, len, json]);
}

/** Encrypts a plaintext stream into VCB1. The data key is used here and nowhere else; the caller wipes it. */
export class EncryptStream extends Transform {
  private pending: Buffer[] = [];
  private pendingLen = 0;
  private index = 0n;
  private readonly headerHash: Buffer;
  private readonly prefix = randomBytes(4);
  private readonly frameSize: number;

  constructor(private readonly key: Buffer, header: BackupHeader) {
    super();
    if (key.length !== 32) throw new AppError('INTERNAL', 'data key must be 32 bytes');
    this.frameSize = header.frameSize;
    const head = encodeHeader(header);
    this.headerHash = createHash('sha256').update(head).digest();
    this.push(head);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.pending.push(chunk);
    this.pendingLen += chunk.length;
    while (this.pendingLen >= this.frameSize) {
      const all = Buffer.concat(this.pending, this.pendingLen);
      this.push(this.seal(all.subarray(0, this.frameSize), false));
      const rest = all.subarray(this.frameSize);
      this.pending = rest.length ? [Buffer.from(rest)] : [];
      this.pendingLen = rest.length;
    }
    cb();
  }

  override _flush(cb: TransformCallback): void {
    // The final frame may be empty; its presence is what proves the stream is whole.
    this.push(this.seal(Buffer.concat(this.pending, this.pendingLen), true));
    this.pending = [];
    cb();
  }

  private seal(plain: Buffer, final: boolean): Buffer {
    const nonce = nonceFor(this.prefix, this.index);
    const c = createCipheriv('aes-256-gcm', this.key, nonce);
    c.setAAD(aad(this.headerHash, this.index, final));
    const ct = Buffer.concat([c.update(plain), c.final()]);
    const head = Buffer.alloc(FRAME_HEAD);
    head.writeUInt32BE(plain.length, 0);
    head[4] = final ? FLAG_FINAL : 0;
    nonce.copy(head, 5);
    this.index++;
    return Buffer.concat([head, ct, c.getAuthTag()]);
  }
}

/** Reads the clear header at the start of a VCB1 object. */
export function parseHeader(buf: Buffer): { header: BackupHeader; length: number } | null {
  if (buf.length < 8) return null;
  if (!buf.subarray(0, 4).equals(MAGIC)) throw new IntegrityError('not a Vault Console backup (bad magic)');
  const len = buf.readUInt32BE(4);
  if (len > MAX_HEADER) throw new IntegrityError('header too large');
  if (buf.length < 8 + len) return null;
  let header: BackupHeader;
  try {
    header = JSON.parse(buf.subarray(8, 8 + len).toString('utf8')) as BackupHeader;
  } catch {
    throw new IntegrityError('header is not valid JSON');
  }
  if (header.v !== 1 || header.alg !== 'AES-256-GCM' || typeof header.wrappedKey !== 'string') throw new IntegrityError('unsupported header');
  if (!Number.isInteger(header.frameSize) || header.frameSize < 1 || header.frameSize > MAX_FRAME_SIZE) throw new IntegrityError('bad frame size');
  return { header, length: 8 + len };
}

/**
 * Decrypts VCB1. getKey receives the header (to unwrap its data key) before the
 * first frame. Emits plaintext frame by frame, each only after its tag verified.
 */
export class DecryptStream extends Transform {
  private buf: Buffer = Buffer.alloc(0);
  // Chunks not yet joined into buf: joining only when a whole frame is there keeps copying linear.
  private parts: Buffer[] = [];
  private partsLen = 0;
  private need = 8;
  private key: Buffer | null = null;
  private headerHash: Buffer | null = null;
  private header: BackupHeader | null = null;
  private index = 0n;
  private done = false;

  constructor(private readonly getKey: (header: BackupHeader) => Promise<Buffer>) {
    super();
  }

  get parsedHeader(): BackupHeader | null {
    return this.header;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.parts.push(chunk);
    this.partsLen += chunk.length;
    if (this.buf.length + this.partsLen < this.need) return cb();
    this.join();
    this.drain().then(() => cb(), (err: unknown) => cb(err as Error));
  }

  private join(): void {
    if (!this.partsLen) return;
    this.buf = Buffer.concat([this.buf, ...this.parts]);
    this.parts = [];
    this.partsLen = 0;
  }

  override _flush(cb: TransformCallback): void {
    this.join();
    this.drain().then(
      () => {
        if (!this.done) return cb(new IntegrityError('the backup is truncated (no final frame)'));
        cb();
      },
      (err: unknown) => cb(err as Error),
    );
  }

  private async drain(): Promise<void> {
    if (!this.header) {
      const parsed = parseHeader(this.buf);
      if (!parsed) {
        this.need = this.buf.length >= 8 ? 8 + this.buf.readUInt32BE(4) : 8;
        return;
      }
      this.header = parsed.header;
      this.headerHash = createHash('sha256').update(this.buf.subarray(0, parsed.length)).digest();
      this.buf = this.buf.subarray(parsed.length);
      this.key = await this.getKey(parsed.header);
    }
    const max = this.header.frameSize;
    for (;;) {
      if (this.buf.length === 0) {
        this.need = FRAME_HEAD;
        return;
      }
      if (this.done) throw new IntegrityError('data after the final frame');
      if (this.buf.length < FRAME_HEAD) {
        this.need = FRAME_HEAD;
        return;
      }
      const len = this.buf.readUInt32BE(0);
      if (len > max) throw new IntegrityError(`frame ${this.index} is larger than the frame size`);
      const total = FRAME_HEAD + len + TAG_LEN;
      if (this.buf.length < total) {
        this.need = total;
        return;
      }
      const final = (this.buf[4]! & FLAG_FINAL) === FLAG_FINAL;
      const nonce = this.buf.subarray(5, FRAME_HEAD);
      if (nonce.readBigUInt64BE(4) !== this.index) throw new IntegrityError(`frame ${this.index} is out of order`);
      const d = createDecipheriv('aes-256-gcm', this.key!, nonce);
      d.setAAD(aad(this.headerHash!, this.index, final));
      d.setAuthTag(this.buf.subarray(FRAME_HEAD + len, total));
      let plain: Buffer;
      try {
        plain = Buffer.concat([d.update(this.buf.subarray(FRAME_HEAD, FRAME_HEAD + len)), d.final()]);
      } catch {
        throw new IntegrityError(`frame ${this.index} failed authentication (tampered or corrupted)`);
      }
      // Copy the remainder so the joined frame buffer can be freed.
      this.buf = Buffer.from(this.buf.subarray(total));
      this.index++;
      if (final) this.done = true;
      if (plain.length) this.push(plain);
    }
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    this.key?.fill(0);
    cb(err);
  }
}
