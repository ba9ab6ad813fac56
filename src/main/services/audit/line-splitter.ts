// Splits a byte stream into lines without ever buffering more than maxLineBytes:
// a 50 MB line is skipped and counted, not held in memory. Synchronous per chunk,
// so the importer and the live tail share it and it stays fast.
export const DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024;

export type LineSink = (line: Buffer, final: boolean) => void;

export class LineSplitter {
  private parts: Buffer[] = [];
  private partLen = 0;
  private skipping = false;
  oversized = 0;

  constructor(private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES) {}

  /** Bytes held for an unfinished last line (the tail resumes after them). */
  get pendingBytes(): number {
    return this.partLen;
  }

  push(chunk: Buffer, onLine: LineSink): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) {
        const rest = chunk.subarray(start);
        if (!this.skipping) {
          if (this.partLen + rest.length > this.maxLineBytes) this.startSkipping();
          else if (rest.length > 0) {
            // Copy: the caller may reuse its read buffer.
            this.parts.push(Buffer.from(rest));
            this.partLen += rest.length;
          }
        }
        return;
      }
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.skipping) {
        this.skipping = false;
        continue;
      }
      if (this.partLen + piece.length > this.maxLineBytes) {
        this.reset();
        this.oversized++;
        continue;
      }
      const line = this.partLen > 0 ? Buffer.concat([...this.parts, piece]) : piece;
      this.reset();
      onLine(stripCr(line), false);
    }
  }

  /** End of input: a last line without a newline is handed over with final=true. */
  end(onLine: LineSink): void {
    if (this.skipping) {
      this.skipping = false;
      return;
    }
    if (this.partLen > 0) {
      const line = Buffer.concat(this.parts);
      this.reset();
      onLine(stripCr(line), true);
    }
  }

  private startSkipping(): void {
    this.reset();
    this.skipping = true;
    this.oversized++;
  }

  private reset(): void {
    this.parts = [];
    this.partLen = 0;
  }
}

function stripCr(b: Buffer): Buffer {
  return b.length > 0 && b[b.length - 1] === 13 ? b.subarray(0, b.length - 1) : b;
}
