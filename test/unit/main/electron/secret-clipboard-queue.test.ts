// Electron 44+ reads and writes the clipboard asynchronously. A reveal closed right after a
// copy must still clear that copy: the clear's read waits for the copy's write, or it would
// find the old text, skip the clear, and the password would land on the clipboard afterwards
// and stay there. Another application's later copy is never cleared.
import { describe, expect, it } from 'vitest';
import { SecretClipboardQueue, type AsyncClipboard } from '../../../../src/main/electron/secret-clipboard-queue';

/** An OS clipboard whose writes land only when the test says so. */
class SlowClipboard implements AsyncClipboard {
  text = 'what the user had copied before';
  clears = 0;
  readonly log: string[] = [];
  private pending: Array<() => void> = [];

  writeText(text: string): Promise<void> {
    this.log.push('write');
    return new Promise((resolve) => this.pending.push(() => ((this.text = text), resolve())));
  }
  async readText(): Promise<string> {
    this.log.push('read');
    return this.text;
  }
  clear(): void {
    this.log.push('clear');
    this.text = '';
    this.clears++;
  }
  /** The OS finishes the writes it was given. */
  land(): void {
    for (const done of this.pending.splice(0)) done();
  }
}

function setup() {
  const os = new SlowClipboard();
  const lines: string[] = [];
  const log = { info: (m: string) => void lines.push(m), warn: (m: string) => void lines.push(m), error: (m: string) => void lines.push(m), debug: () => undefined };
  const selection = { clears: 0, clear() { this.clears++; } };
  return { os, lines, selection, queue: new SecretClipboardQueue(os, log, selection) };
}

const flushMicrotasks = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Copies and lets the OS finish the write. */
async function copied(queue: SecretClipboardQueue, os: SlowClipboard, text: string): Promise<void> {
  queue.writeSecret(text);
  await flushMicrotasks();
  os.land();
  await queue.flush();
}

describe('secret clipboard over an asynchronous OS clipboard', () => {
  it('a close right after a copy waits for the copy to land, then clears it', async () => {
    const { os, queue } = setup();
    queue.writeSecret('s3cret-password');
    queue.clearIfHolds(['s3cret-password']);
    await flushMicrotasks();
    // The copy has not landed: nothing may read the clipboard yet.
    expect(os.log).toEqual(['write']);
    os.land();
    await queue.flush();
    expect(os.log).toEqual(['write', 'read', 'clear']);
    expect(os.text).toBe('');
  });

  it("leaves another application's later copy alone", async () => {
    const { os, queue } = setup();
    await copied(queue, os, 's3cret-password');
    os.text = 'a note the admin copied since';
    queue.clearIfHolds(['s3cret-password']);
    await queue.flush();
    expect(os.text).toBe('a note the admin copied since');
    expect(os.clears).toBe(0);
  });

  it('clears when the clipboard holds any one of the copies, and does nothing without copies', async () => {
    const { os, queue } = setup();
    await copied(queue, os, 'smtp-user');
    queue.clearIfHolds([]);
    await queue.flush();
    expect(os.log).toEqual(['write']);
    queue.clearIfHolds(['smtp-password', 'smtp-user']);
    await queue.flush();
    expect(os.text).toBe('');
  });

  it('empties the primary selection after each copy', async () => {
    const { os, queue, selection } = setup();
    await copied(queue, os, 's3cret-password');
    expect(selection.clears).toBe(1);
  });

  it('a failed operation is logged without the value and the next one still runs', async () => {
    const { os, lines } = setup();
    const failing: AsyncClipboard = { writeText: () => Promise.reject(new Error('s3cret-password could not be written')), readText: () => os.readText(), clear: () => os.clear() };
    const q = new SecretClipboardQueue(failing, { info: () => undefined, warn: (m) => void lines.push(m), error: () => undefined, debug: () => undefined });
    q.writeSecret('s3cret-password');
    os.text = 's3cret-password';
    q.clearIfHolds(['s3cret-password']);
    await q.flush();
    expect(lines).toEqual(['copy failed (Error)']);
    expect(lines.join('\n')).not.toContain('s3cret');
    expect(os.text).toBe('');
  });
});
