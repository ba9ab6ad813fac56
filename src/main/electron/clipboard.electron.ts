// The OS clipboard for revealed credentials: Electron's clipboard behind the ordered queue
// (secret-clipboard-queue.ts).
//
// Marking a copy as secret for clipboard managers (macOS org.nspasteboard.ConcealedType,
// Windows ExcludeClipboardContentFromMonitorProcessing) needs the text and the marker in one
// write. Electron 44+ can do that (clipboard.write() with one ClipboardItem carrying text/plain
// and an `electron application/osclipboard;format=...` entry); not done yet, as it needs a
// check on macOS and Windows. Copies are plain text; the console's real protection is that it
// clears the clipboard on every close when it still holds the copy.
import { clipboard } from 'electron';
import { createLogger } from '../services/log/logger';
import { SecretClipboardQueue } from './secret-clipboard-queue';

export function electronSecretClipboard(): SecretClipboardQueue {
  return new SecretClipboardQueue(clipboard, createLogger('clipboard'), process.platform === 'linux' ? clipboard.selection : undefined);
}
