// Tails Vault's file audit device log by polling (default every 5 s). Survives
// rotation (the path now names another inode: the old file is read to its end,
// then the new one from the start) and truncation (same inode, smaller than our
// offset: start again at 0). Resumes after a restart from the offset kept in SQLite.
// Every time it opens the path (at start and after each rotation) the path must
// still name a regular file (audit-files.ts): a rotation that leaves a FIFO, a
// device or a symlink to one behind is refused, never read.
import { stat, type FileHandle } from 'node:fs/promises';
import { AppError } from '../../../shared/errors';
import type { Clock, TimerHandle } from '../time/clock';
import type { Logger } from '../log/logger';
import type { AuditRepo } from '../storage/audit-repo';
import { openCheckedAuditFile } from './audit-files';
import type { MappingOptions } from './audit-mapping';
import { emptyStats, VaultLineReader } from './audit-parser';
import { INSERT_BATCH } from './audit-importer';
import type { AuditRecord } from './audit-record';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from './line-splitter';

export const DEFAULT_POLL_MS = 5_000;
const READ_CHUNK = 1 << 20;

export interface TailStats {
  ingested: number;
  skipped: number;
  rotations: number;
  truncations: number;
  lastPollAt: number | null;
  lastError: string | null;
  /** Why the file may not be trustworthy (others can write it or its folder). */
  warnings: string[];
}

export interface TailerDeps {
  repo: AuditRepo;
  clock: Clock;
  log: Logger;
  pollMs?: number;
  mapping?: MappingOptions;
  /** Lines over this are read by head and tail (default 4 MiB). */
  maxLineBytes?: number;
  onPoll?: (added: number) => void;
}

export class AuditTailer {
  readonly stats: TailStats = { ingested: 0, skipped: 0, rotations: 0, truncations: 0, lastPollAt: null, lastError: null, warnings: [] };
  private fh: FileHandle | null = null;
  private inode = -1;
  private offset = 0;
  private batch: AuditRecord[] = [];
  private reader: VaultLineReader;
  private splitter: LineSplitter;
  private timer: TimerHandle | undefined;
  private running = false;
  private polling: Promise<number> | null = null;

  constructor(readonly path: string, private readonly deps: TailerDeps) {
    // The joiner lives as long as the tail: a request and its response may straddle polls.
    this.reader = new VaultLineReader((rs) => {
      for (const r of rs) this.batch.push(r);
    }, emptyStats(), deps.mapping);
    this.splitter = this.newSplitter();
  }

  private newSplitter(): LineSplitter {
    return new LineSplitter(this.deps.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, () => this.reader.oversizedCollector());
  }

  get pollMs(): number {
    return this.deps.pollMs ?? DEFAULT_POLL_MS;
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const loop = () => {
      if (!this.running) return;
      void this.poll().finally(() => {
        if (this.running) this.timer = this.deps.clock.setTimeout(loop, this.pollMs);
      });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.deps.clock.clearTimeout(this.timer);
    await this.polling?.catch(() => 0);
    await this.fh?.close().catch(() => undefined);
    this.fh = null;
  }

  /** One poll; concurrent calls share it. Returns how many events were stored. */
  poll(): Promise<number> {
    this.polling ??= this.pollInner().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  private async pollInner(): Promise<number> {
    let added = 0;
    try {
      let st: Awaited<ReturnType<typeof stat>> | null = null;
      try {
        st = await stat(this.path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      if (this.fh && st && st.ino !== this.inode) {
        // Rotated: finish the old file through the handle we still hold.
        added += await this.readToEnd();
        await this.fh.close();
        this.fh = null;
        this.stats.rotations++;
        this.deps.log.info(`tail ${this.path} rotated; following the new file`);
        this.resetReader(st.ino, 0);
      }
      if (!this.fh && st) {
        const opened = await openCheckedAuditFile(this.path);
        this.fh = opened.fh;
        this.stats.warnings = opened.checked.warnings;
        for (const w of opened.checked.warnings) this.deps.log.warn(`tail: ${w}`);
        const fst = await this.fh.stat();
        const saved = this.deps.repo.getTailState(this.path);
        const resume = saved && saved.inode === fst.ino && saved.offset <= fst.size ? saved.offset : 0;
        this.resetReader(fst.ino, resume);
      }
      if (this.fh) {
        const fst = await this.fh.stat();
        if (fst.size < this.offset) {
          this.stats.truncations++;
          this.deps.log.warn(`tail ${this.path} was truncated; reading it again from the start`);
          this.resetReader(this.inode, 0);
        }
        added += await this.readToEnd();
        this.deps.repo.setTailState(this.path, this.inode, this.offset - this.splitter.pendingBytes);
      }
      this.stats.lastError = st ? null : 'The audit log file does not exist (yet).';
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      this.stats.lastError = err instanceof AppError ? err.message : `Cannot read the audit log (${e.code ?? e.name}).`;
      this.deps.log.warn(`tail poll failed: ${err instanceof AppError ? err.code : (e.code ?? e.name)}`);
    }
    this.stats.lastPollAt = this.deps.clock.now();
    this.stats.ingested += added;
    if (added > 0) this.deps.onPoll?.(added);
    return added;
  }

  private resetReader(inode: number, offset: number): void {
    this.inode = inode;
    this.offset = offset;
    this.splitter = this.newSplitter();
  }

  private async readToEnd(): Promise<number> {
    const fh = this.fh!;
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    let added = 0;
    const skippedBefore = this.reader.stats.truncated + this.reader.stats.notJson + this.reader.stats.badEncoding + this.reader.stats.notAudit;
    const onLine = (line: Buffer, final: boolean) => this.reader.line(line, final);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, READ_CHUNK, this.offset);
      if (bytesRead === 0) break;
      this.offset += bytesRead;
      this.splitter.push(buf.subarray(0, bytesRead), onLine);
      if (this.batch.length >= INSERT_BATCH) {
        added += this.deps.repo.insertMany(this.batch).inserted;
        this.batch = [];
      }
    }
    const s = this.reader.stats;
    this.stats.skipped += s.truncated + s.notJson + s.badEncoding + s.notAudit - skippedBefore;
    // An oversized line that gave no event is skipped; one read by head and tail is not.
    this.stats.skipped += Math.max(0, this.splitter.oversized - this.reader.oversizedRead);
    this.splitter.oversized = 0;
    this.reader.oversizedRead = 0;
    added += this.deps.repo.insertMany(this.batch).inserted;
    this.batch = [];
    return added;
  }
}
