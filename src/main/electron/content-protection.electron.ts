// Hide console windows from screen capture and screen sharing while a credential shows
// (macOS: NSWindowSharingNone; Windows: WDA_EXCLUDEFROMCAPTURE). Linux has no such
// API; setContentProtection is a no-op there.
import type { BrowserWindow } from 'electron';
import type { ContentProtection } from '../services/reveal/clipboard';

export function windowContentProtection(windows: () => Iterable<BrowserWindow>): ContentProtection & { applyTo(win: BrowserWindow): void } {
  let on = false;
  return {
    setProtected(next) {
      on = next;
      for (const w of windows()) if (!w.isDestroyed()) w.setContentProtection(next);
    },
    /** A window opened during a reveal is protected too. */
    applyTo(win) {
      if (on) win.setContentProtection(true);
    },
  };
}
