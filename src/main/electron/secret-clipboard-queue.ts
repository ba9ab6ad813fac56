// The reveal clipboard over an asynchronous OS clipboard (Electron 44+ reads and writes it
// with promises, the W3C Clipboard API shape). Electron-free, so the ordering is unit-tested;
// clipboard.electron.ts hands in Electron's clipboard.
//
// One queue keeps the operations in call order: a close that follows a copy never reads the
// clipboard before the copy landed (or it would find the old text, skip the clear, and the
// copy would land afterwards and stay). Only SHA-256 digests of the copies wait in the queue,
// never the values themselves.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { SecretClipboard } from '../services/reveal/clipboard';
import type { Logger } from '../services/log/logger';

/** The part of Electron's clipboard this uses. */
export interface AsyncClipboard {
  writeText(text: string): Promise<void>;
  readText(): Promise<string>;
  clear(): void;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export class SecretClipboardQueue implements SecretClipboard {
  private queue: Promise<void> = Promise.resolve();

  /** `primarySelection`: Linux's separate selection buffer, cleared after each copy. */
  constructor(
    private readonly os: AsyncClipboard,
    private readonly log: Logger,
    private readonly primarySelection?: Pick<AsyncClipboard, 'clear'>,
  ) {}

  writeSecret(text: string): void {
    this.enqueue('copy', async () => {
      await this.os.writeText(text);
      // X11/Wayland keep a separate primary selection; never leave the value there.
      this.primarySelection?.clear();
    });
  }

  clearIfHolds(copies: readonly string[]): void {
    if (copies.length === 0) return;
    const digests = copies.map(sha256);
    this.enqueue('clear', async () => {
      const current = sha256(await this.os.readText());
      if (digests.some((d) => timingSafeEqual(d, current))) this.os.clear();
    });
  }

  /** Resolves once every queued copy and clear is done (the app waits for it before it quits). */
  flush(): Promise<void> {
    return this.queue;
  }

  private enqueue(action: string, op: () => Promise<void>): void {
    this.queue = this.queue.then(op).catch((err: unknown) => {
      this.log.warn(`${action} failed (${err instanceof Error ? err.name : 'error'})`);
    });
  }
}
