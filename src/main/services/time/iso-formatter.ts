// Date.prototype.toISOString for many times at once, faster: a blast-radius listing writes
// two times for each of ~50,000 secrets, and toISOString costs ~0.5 µs each. The date part
// ("2026-06-01T") is made once per UTC day by toISOString itself and cached; the time of
// day is plain arithmetic written into a 24-byte buffer read back as one flat string (a
// string built by concatenation is a chain of pieces, which costs the garbage collector
// more than it saves when tens of thousands of them are kept). The same string as
// toISOString for every integer time of years 0000-9999; anything else is toISOString's.
const DAY = 86_400_000;
const MIN_MS = Date.parse('0000-01-01T00:00:00.000Z');
const MAX_MS = Date.parse('9999-12-31T23:59:59.999Z');
const ZERO = 48;

/** A formatter with its own cache of days (one per listing: a year is 365 entries). */
export function isoFormatter(): (ms: number) => string {
  const days = new Map<number, Buffer>();
  const b = Buffer.alloc(24);
  b.write('T00:00:00.000Z', 10, 'latin1');
  const two = (at: number, v: number) => {
    b[at] = ZERO + Math.floor(v / 10);
    b[at + 1] = ZERO + (v % 10);
  };
  return (ms) => {
    if (!Number.isInteger(ms) || ms < MIN_MS || ms > MAX_MS) return new Date(ms).toISOString();
    const day = Math.floor(ms / DAY);
    let prefix = days.get(day);
    if (prefix === undefined) {
      prefix = Buffer.from(new Date(day * DAY).toISOString().slice(0, 10), 'latin1');
      days.set(day, prefix);
    }
    prefix.copy(b, 0);
    let r = ms - day * DAY;
    const milli = r % 1000;
    r = (r - milli) / 1000;
    const sec = r % 60;
    r = (r - sec) / 60;
    two(11, Math.floor(r / 60));
    two(14, r % 60);
    two(17, sec);
    b[20] = ZERO + Math.floor(milli / 100);
    b[21] = ZERO + (Math.floor(milli / 10) % 10);
    b[22] = ZERO + (milli % 10);
    return b.toString('latin1', 0, 24);
  };
}
