// Splits a byte stream into lines without ever buffering more than maxLineBytes.
// A longer line is never held whole: its first and last OVERSIZED_KEEP bytes go to
// the oversized sink (a Vault entry's who/what is at its start, its outcome at its
// end; see entry-head.ts), and it is counted. Synchronous per chunk, so the importer
// and the live tail share it and it stays fast.
export const DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024;
/** Head and tail kept of an oversized line. */
export const OVERSIZED_KEEP = 64 * 1024;

export type LineSink = (line: Buffer, final: boolean) => void;
export type OversizedSink = (head: Buffer, tail: Buffer) => void;

export class LineSplitter {
  private parts: Buffer[] = [];
  private partLen = 0;
  /** Bytes of the unfinished last line seen so far (whole, even when oversized). */
  private lineBytes = 0;
  /** Set while inside an oversized line: its head, and the newest bytes for its tail. */
  private over: { head: Buffer; tail: Buffer[]; tailLen: number } | null = null;
  oversized = 0;

  constructor(
    private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES,
    private readonly onOversized?: OversizedSink,
  ) {}

  /** Bytes of an unfinished last line (a tail resumes before them). */
  get pendingBytes(): number {
    return this.lineBytes;
  }

  push(chunk: Buffer, onLine: LineSink): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) {
        const rest = chunk.subarray(start);
        this.lineBytes += rest.length;
        if (this.over) this.addTail(rest);
        else if (this.partLen + rest.length > this.maxLineBytes) this.startOversized(rest);
        else if (rest.length > 0) {
          // Copy: the caller may reuse its read buffer.
          this.parts.push(Buffer.from(rest));
          this.partLen += rest.length;
        }
        return;
      }
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.over) {
        this.addTail(piece);
        this.finishOversized();
        continue;
      }
      if (this.partLen + piece.length > this.maxLineBytes) {
        this.startOversized(piece);
        this.finishOversized();
        continue;
      }
      const line = this.partLen > 0 ? Buffer.concat([...this.parts, piece]) : piece;
      this.reset();
      onLine(stripCr(line), false);
    }
  }

  /** End of input: a last line without a newline is handed over with final=true. */
  end(onLine: LineSink): void {
    if (this.over) {
      this.finishOversized();
      return;
    }
    if (this.partLen > 0) {
      const line = Buffer.concat(this.parts);
      this.reset();
      onLine(stripCr(line), true);
    }
  }

  private startOversized(piece: Buffer): void {
    const all = this.partLen > 0 ? Buffer.concat([...this.parts, piece]) : piece;
    this.over = { head: Buffer.from(all.subarray(0, OVERSIZED_KEEP)), tail: [], tailLen: 0 };
    this.parts = [];
    this.partLen = 0;
    this.addTail(all.subarray(Math.max(0, all.length - OVERSIZED_KEEP)));
  }

  private addTail(piece: Buffer): void {
    const o = this.over!;
    if (piece.length === 0) return;
    const keep = piece.length > OVERSIZED_KEEP ? piece.subarray(piece.length - OVERSIZED_KEEP) : piece;
    o.tail.push(Buffer.from(keep));
    o.tailLen += keep.length;
    while (o.tail.length > 1 && o.tailLen - o.tail[0]!.length >= OVERSIZED_KEEP) o.tailLen -= o.tail.shift()!.length;
  }

  private finishOversized(): void {
    const o = this.over!;
    this.over = null;
    this.lineBytes = 0;
    this.oversized++;
    const tail = Buffer.concat(o.tail);
    this.onOversized?.(o.head, stripCr(tail.subarray(Math.max(0, tail.length - OVERSIZED_KEEP))));
  }

  private reset(): void {
    this.parts = [];
    this.partLen = 0;
    this.lineBytes = 0;
  }
}

function stripCr(b: Buffer): Buffer {
  return b.length > 0 && b[b.length - 1] === 13 ? b.subarray(0, b.length - 1) : b;
}
