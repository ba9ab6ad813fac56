// A revealed value held in main as bytes we own, so closing the reveal can zero them.
// (JS strings cannot be wiped; the string handed to IPC or the clipboard is transient.)
import { timingSafeEqual } from 'node:crypto';

export class SecretBuffer {
  private buf: Buffer | null;

  constructor(text: string) {
    // Buffer.alloc, not Buffer.from: a dedicated allocation, never a slice of the shared pool.
    const buf = Buffer.alloc(Buffer.byteLength(text, 'utf8'));
    buf.write(text, 'utf8');
    this.buf = buf;
  }

  get wiped(): boolean {
    return this.buf === null;
  }

  /** The value as a string for one use (IPC answer, clipboard write). Throws once wiped. */
  reveal(): string {
    if (!this.buf) throw new Error('secret buffer already wiped');
    return this.buf.toString('utf8');
  }

  /** Constant-time comparison with a candidate (the clipboard's current text). */
  equals(text: string): boolean {
    if (!this.buf) return false;
    const other = Buffer.from(text, 'utf8');
    const same = other.length === this.buf.length && timingSafeEqual(other, this.buf);
    other.fill(0);
    return same;
  }

  /** Zero the bytes and drop them. Safe to call twice. */
  wipe(): void {
    this.buf?.fill(0);
    this.buf = null;
  }

  /** For tests: the bytes as they are now (all zero after wipe, through a kept reference). */
  bytesForTest(): Buffer | null {
    return this.buf;
  }
}
