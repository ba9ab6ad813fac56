// The new API key of a rotation, shown once in the UI the way View Credentials shows a
// password: Vault keeps only its hash, so this is the only moment anyone can hand the key
// to the tenant. Main holds it in a buffer it can zero for a window (15 minutes unless a
// policy shortens it); the rotate answer carries it to the renderer once; copies are
// written by main from its buffer; every close (Close, timer, sign-out, last window
// closed, screen lock, quit, another key shown) zeroes the buffer, clears the clipboard
// if it still holds the key, and tells the renderer to drop it.
// Never log the key; log the handover id, the tenant and the key id only.
import { randomBytes } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import type { ApiKeyCloseReason, NewApiKey } from '../../../shared/contracts/rotation';
import type { Logger } from '../log/logger';
import { noContentProtection, type ContentProtection, type SecretClipboard } from '../reveal/clipboard';
import { MAX_WINDOW_MS, WARN_BEFORE_MS } from '../reveal/reveal-service';
import { SecretBuffer } from '../reveal/secret-buffer';
import type { SessionInfo } from '../session/session-types';
import type { Clock, TimerHandle } from '../time/clock';

/** The same window and warning as a revealed credential. */
export const API_KEY_WINDOW_MS = MAX_WINDOW_MS;
const MIN_WINDOW_MS = 5_000;

export interface ApiKeyHandoverDeps {
  clock: Clock;
  clipboard: SecretClipboard;
  log: Logger;
  onClosed: (e: { handoverId: string; reason: ApiKeyCloseReason }) => void;
  /** Sign-out closes every handover. */
  session?: { onChange(listener: (info: SessionInfo) => void): () => void };
  /** Policy: a shorter window, clamped to [5 s, 15 min]. */
  windowMs?: number;
  /** Screen-capture protection while a key is shown (Electron: setContentProtection). */
  protection?: ContentProtection;
}

interface Held {
  id: string;
  path: string;
  key: SecretBuffer;
  timer: TimerHandle;
  copied: boolean;
}

export class ApiKeyHandover {
  readonly windowMs: number;
  private readonly held = new Map<string, Held>();
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: ApiKeyHandoverDeps) {
    this.windowMs = Math.max(MIN_WINDOW_MS, Math.min(API_KEY_WINDOW_MS, deps.windowMs ?? API_KEY_WINDOW_MS));
    this.unsubscribe = deps.session?.onChange((info) => {
      if (!info.signedIn && this.held.size > 0) this.closeAll('sign-out');
    }) ?? (() => undefined);
  }

  get activeCount(): number {
    return this.held.size;
  }

  /** Takes the new key; returns what the renderer shows for the window. One key on screen at a time. */
  hold(path: string, key: string, prefix: string): NewApiKey {
    // The previous key closes after this one is held, so the window never drops its protection in between.
    const previous = [...this.held.keys()];
    const id = `ak-${randomBytes(16).toString('hex')}`;
    const h: Held = { id, path, key: new SecretBuffer(key), timer: this.deps.clock.setTimeout(() => this.close(id, 'timer'), this.windowMs), copied: false };
    this.held.set(id, h);
    (this.deps.protection ?? noContentProtection).setProtected(true);
    for (const p of previous) this.close(p, 'replaced');
    this.deps.log.info(`new API key for ${path} held for hand-over ${id} (${Math.round(this.windowMs / 1000)} s)`);
    return { handoverId: id, apiKey: h.key.reveal(), prefix, remainingMs: this.windowMs, windowSeconds: Math.round(this.windowMs / 1000), warnAtMs: WARN_BEFORE_MS };
  }

  copy(handoverId: string): { copied: boolean } {
    const h = this.held.get(handoverId);
    if (!h) throw new AppError('NOT_FOUND', 'The new API key is no longer shown; it cannot be shown again (rotate it again if it was not handed over).');
    this.deps.clipboard.writeSecret(h.key.reveal());
    h.copied = true;
    return { copied: true };
  }

  close(handoverId: string, reason: ApiKeyCloseReason = 'user'): { closed: boolean } {
    const h = this.held.get(handoverId);
    if (!h) return { closed: false };
    this.held.delete(handoverId);
    this.deps.clock.clearTimeout(h.timer);
    // Clipboard first, while the buffer can still tell what was copied.
    try {
      if (h.copied) this.deps.clipboard.clearIfHolds([h.key.reveal()]);
    } catch (err) {
      this.deps.log.warn(`hand-over ${h.id}: clipboard check failed (${err instanceof Error ? err.name : 'error'})`);
    }
    h.key.wipe();
    if (this.held.size === 0) (this.deps.protection ?? noContentProtection).setProtected(false);
    this.deps.onClosed({ handoverId: h.id, reason });
    this.deps.log.info(`hand-over ${h.id} (${h.path}) closed: ${reason}`);
    return { closed: true };
  }

  closeAll(reason: ApiKeyCloseReason): void {
    for (const id of [...this.held.keys()]) this.close(id, reason);
  }

  /** For tests: the buffer of a hand-over, to check it is zeroed on close (keep the reference). */
  bufferForTest(handoverId: string): SecretBuffer | undefined {
    return this.held.get(handoverId)?.key;
  }

  dispose(): void {
    this.unsubscribe();
    this.closeAll('quit');
  }
}
