// The clipboard the reveal feature writes to, as an interface so the service stays
// Electron-free. The Electron adapter is src/main/electron/clipboard.electron.ts; the
// harness and tests use MemoryClipboard.

export interface SecretClipboard {
  /** Writes text, marked as concealed/secret for clipboard managers where the platform allows. */
  writeSecret(text: string): void;
  /**
   * Clears the clipboard if it still holds one of `copies` (what the caller copied); another
   * application's later copy stays. Electron (44+) reads the clipboard asynchronously, so the
   * check may finish after this returns, but always after every earlier write.
   */
  clearIfHolds(copies: readonly string[]): void;
}

/** Hides the window from screen capture while a credential shows, where the platform supports it. */
export interface ContentProtection {
  setProtected(on: boolean): void;
}

export const noContentProtection: ContentProtection = { setProtected: () => undefined };

/**
 * One window, several features showing secrets (View Credentials, a new API key): each
 * holder gets its own handle, and the window stays protected while any holder is on.
 */
export function sharedContentProtection(target: ContentProtection): () => ContentProtection {
  const on = new Set<object>();
  return () => {
    const me = {};
    return {
      setProtected(v: boolean) {
        const before = on.size > 0;
        if (v) on.add(me);
        else on.delete(me);
        const after = on.size > 0;
        if (after !== before) target.setProtected(after);
      },
    };
  };
}

/**
 * An in-process clipboard: the browser harness's adapter (there is no OS clipboard the
 * harness may touch) and what tests read to check that a close cleared it.
 */
export class MemoryClipboard implements SecretClipboard {
  private text = '';
  /** Whether the last write was marked secret (the Electron adapter's job on real platforms). */
  lastWriteMarkedSecret = false;
  writes = 0;
  clears = 0;

  writeSecret(text: string): void {
    this.text = text;
    this.lastWriteMarkedSecret = true;
    this.writes++;
  }

  /** What another application would do: put unrelated text on the clipboard. */
  writeText(text: string): void {
    this.text = text;
    this.lastWriteMarkedSecret = false;
  }

  readText(): string {
    return this.text;
  }

  clearIfHolds(copies: readonly string[]): void {
    if (this.text && copies.includes(this.text)) this.clear();
  }

  clear(): void {
    this.text = '';
    this.lastWriteMarkedSecret = false;
    this.clears++;
  }
}
