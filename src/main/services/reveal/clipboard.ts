// The clipboard the reveal feature writes to, as an interface so the service stays
// Electron-free. The Electron adapter (src/main/electron/clipboard.electron.ts) marks
// copies as secret for clipboard managers; the harness and tests use MemoryClipboard.

export interface SecretClipboard {
  /** Writes text, marked as concealed/secret for clipboard managers where the platform allows. */
  writeSecret(text: string): void;
  readText(): string;
  clear(): void;
}

/** Hides the window from screen capture while a credential shows, where the platform supports it. */
export interface ContentProtection {
  setProtected(on: boolean): void;
}

export const noContentProtection: ContentProtection = { setProtected: () => undefined };

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

  clear(): void {
    this.text = '';
    this.lastWriteMarkedSecret = false;
    this.clears++;
  }
}
