// What a command prints to stderr besides its one error line: progress and the services'
// log lines. The README promises one-line errors, so without -verbose:
//  - on a terminal, progress is one status line redrawn in place and erased when the
//    command ends (and before anything is printed on stdout);
//  - everywhere, progress lines (off a terminal) and log lines are held back and printed
//    only when the command succeeds; a failing command prints its error line and nothing else.
// With -verbose (or VAULT_CONSOLE_DEBUG=1) both stream to stderr as they happen; so they
// do once a long-lived service says it has started (stream()): a start error is still its
// one line, and a running service's log is not held until it stops.
import type { CliWriter } from './io';

const HELD_MAX = 2000;
const CLEAR = '\r\x1b[K';

export class CliDiagnostics {
  private held: string[] = [];
  private dropped = 0;
  private statusShown = false;

  constructor(
    private readonly stderr: CliWriter,
    public verbose: boolean,
  ) {}

  /** From now on, stream: the held lines first, then every line as it comes. */
  stream(): void {
    if (this.verbose) return;
    this.clearStatus();
    if (this.dropped > 0) this.stderr.write(`(${this.dropped} earlier line(s) not shown)\n`);
    if (this.held.length > 0) this.stderr.write(`${this.held.join('\n')}\n`);
    this.held = [];
    this.dropped = 0;
    this.verbose = true;
  }

  private get tty(): boolean {
    return this.stderr.isTTY === true;
  }

  private hold(line: string): void {
    if (this.held.length >= HELD_MAX) {
      this.held.shift();
      this.dropped++;
    }
    this.held.push(line);
  }

  progress(line: string): void {
    const text = line.replace(/\s+$/, '');
    if (this.verbose) this.stderr.write(`${text}\n`);
    else if (this.tty) {
      this.stderr.write(`${CLEAR}${text.replace(/[\r\n]+/g, ' ')}`);
      this.statusShown = true;
    } else this.hold(text);
  }

  log(line: string): void {
    if (this.verbose) {
      this.clearStatus();
      this.stderr.write(`${line}\n`);
    } else this.hold(line);
  }

  /** Erase the status line (before stdout output, an error line, or the end). */
  clearStatus(): void {
    if (!this.statusShown) return;
    this.statusShown = false;
    this.stderr.write(CLEAR);
  }

  /** The command ended: held lines are printed on success and dropped on failure. */
  finish(succeeded: boolean): void {
    this.clearStatus();
    if (succeeded && this.held.length > 0) {
      if (this.dropped > 0) this.stderr.write(`(${this.dropped} earlier line(s) not shown)\n`);
      this.stderr.write(`${this.held.join('\n')}\n`);
    }
    this.held = [];
    this.dropped = 0;
  }
}
