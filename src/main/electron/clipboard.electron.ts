// The OS clipboard for revealed credentials.
//
// Marking a copy as secret for clipboard managers needs the text AND a marker format in
// ONE clipboard write: macOS org.nspasteboard.ConcealedType, Windows
// ExcludeClipboardContentFromMonitorProcessing (+ CanIncludeInClipboardHistory=0).
// Electron cannot do that: clipboard.write() takes only text/html/rtf/image/bookmark,
// and every writeBuffer() call replaces what is on the clipboard (electron/electron
// #11838, #41462). Writing the marker after the text would wipe the text. So copies are
// plain text here; the console's real protection is that it clears the clipboard on
// every close when it still holds the copy. A native helper can add the markers later.
import { clipboard } from 'electron';
import type { SecretClipboard } from '../services/reveal/clipboard';

export class ElectronClipboard implements SecretClipboard {
  writeSecret(text: string): void {
    clipboard.writeText(text);
    // X11/Wayland keep a separate primary selection; never leave the value there.
    if (process.platform === 'linux') clipboard.writeText('', 'selection');
  }

  readText(): string {
    return clipboard.readText();
  }

  clear(): void {
    clipboard.clear();
  }
}
