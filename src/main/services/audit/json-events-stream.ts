// Streams the console's one-document JSON export ({"format":…,"events":[{…},{…}],…})
// event by event, never holding the document: a byte-level scanner that tracks
// strings and nesting, checks the top-level "format", and hands over each element of
// the top-level "events" array (at most maxElementBytes each; a bigger one is
// skipped and counted).

export class JsonEventsStream {
  private depth = 0;
  private inString = false;
  private escape = false;
  /** Top level (depth 1): the next string is a key. */
  private expectKey = false;
  private key = '';
  private small: number[] | null = null;
  private inEvents = false;
  private elem: Buffer[] | null = null;
  private elemLen = 0;
  private elemTooBig = false;
  format: string | null = null;
  elements = 0;
  oversized = 0;

  constructor(
    private readonly expectedFormat: string,
    private readonly onElement: (element: Buffer) => void,
    private readonly maxElementBytes = 1024 * 1024,
  ) {}

  /** Whether the document ended where it should (every brace closed). */
  get complete(): boolean {
    return this.depth === 0 && !this.inString;
  }

  push(chunk: Buffer): void {
    let elemFrom = this.elem ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === 0x5c) this.escape = true;
        else if (c === 0x22) {
          this.inString = false;
          if (this.small) this.endSmallString();
          continue;
        }
        if (this.small && this.small.length < 256) this.small.push(c);
        continue;
      }
      switch (c) {
        case 0x22:
          this.inString = true;
          if (this.depth === 1) this.small = [];
          break;
        case 0x7b:
        case 0x5b:
          if (this.depth === 0) this.expectKey = true;
          if (this.depth === 1 && !this.expectKey && this.key === 'events' && c === 0x5b) this.inEvents = true;
          if (this.inEvents && this.depth === 2 && c === 0x7b) {
            if (this.format !== this.expectedFormat) throw Object.assign(new Error('not a Vault Console export'), { code: 'EBADDOC' });
            this.elem = [];
            this.elemLen = 0;
            this.elemTooBig = false;
            elemFrom = i;
          }
          this.depth++;
          break;
        case 0x7d:
        case 0x5d:
          this.depth--;
          if (this.inEvents && this.depth === 2 && c === 0x7d && this.elem) {
            this.addElem(chunk.subarray(elemFrom, i + 1));
            this.finishElem();
            elemFrom = -1;
          }
          if (this.inEvents && this.depth === 1) this.inEvents = false;
          if (this.depth < 0) throw Object.assign(new Error('unbalanced JSON'), { code: 'EBADDOC' });
          break;
        case 0x3a:
          if (this.depth === 1) this.expectKey = false;
          break;
        case 0x2c:
          if (this.depth === 1) this.expectKey = true;
          break;
        default:
          break;
      }
    }
    if (this.elem && elemFrom >= 0) this.addElem(chunk.subarray(elemFrom));
  }

  private endSmallString(): void {
    const text = Buffer.from(this.small!).toString('utf8');
    this.small = null;
    if (this.expectKey) this.key = text;
    else if (this.key === 'format') this.format = text;
  }

  private addElem(b: Buffer): void {
    if (this.elemTooBig) return;
    this.elemLen += b.length;
    if (this.elemLen > this.maxElementBytes) {
      this.elemTooBig = true;
      this.elem = [];
      return;
    }
    this.elem!.push(Buffer.from(b));
  }

  private finishElem(): void {
    const parts = this.elem!;
    this.elem = null;
    if (this.elemTooBig) {
      this.oversized++;
      return;
    }
    this.elements++;
    this.onElement(Buffer.concat(parts));
  }
}
