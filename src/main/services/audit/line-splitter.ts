// Splits a byte stream into lines without ever buffering more than maxLineBytes.
// A longer line is never held whole: its bytes stream through an oversized collector
// (entry-head.ts scans it for the fields an event needs), which gets the line's last
// OVERSIZED_KEEP bytes at its end (a Vault entry's outcome), and it is counted.
// Synchronous per chunk, so the importer and the live tail share it and it stays fast.
export const DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024;
/** Head and tail kept of an oversized line. */
export const OVERSIZED_KEEP = 64 * 1024;

export type LineSink = (line: Buffer, final: boolean) => void;

/** Sees every byte of one oversized line as it streams by, then its last bytes. */
export interface OversizedCollector {
  push(bytes: Buffer): void;
  end(tail: Buffer): void;
}

export class LineSplitter {
  private parts: Buffer[] = [];
  private partLen = 0;
  /** Bytes of the unfinished last line seen so far (whole, even when oversized). */
  private lineBytes = 0;
  /** Set while inside an oversized line: its collector, and the newest bytes for its tail. */
  private over: { collector: OversizedCollector | null; tail: Buffer[]; tailLen: number } | null = null;
  oversized = 0;

  constructor(
    private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES,
    private readonly newCollector?: () => OversizedCollector,
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
    this.over = { collector: this.newCollector?.() ?? null, tail: [], tailLen: 0 };
    const held = this.parts;
    this.parts = [];
    this.partLen = 0;
    for (const p of held) this.addTail(p);
    this.addTail(piece);
  }

  private addTail(piece: Buffer): void {
    const o = this.over!;
    if (piece.length === 0) return;
    o.collector?.push(piece);
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
    o.collector?.end(stripCr(tail.subarray(Math.max(0, tail.length - OVERSIZED_KEEP))));
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
