import { BrowserWindow, dialog } from 'electron';
import type { SavePathPicker } from '../services/inventory/inventory-service';

/** The native save dialog, parented to the focused window; null when the user cancels. */
export const electronSavePathPicker: SavePathPicker = {
  async pick({ suggestedName, title }) {
    const parent = BrowserWindow.getFocusedWindow();
    const opts = { title, defaultPath: suggestedName, properties: ['createDirectory', 'showOverwriteConfirmation'] as Array<'createDirectory' | 'showOverwriteConfirmation'> };
    const r = parent ? await dialog.showSaveDialog(parent, opts) : await dialog.showSaveDialog(opts);
    return r.canceled || !r.filePath ? null : r.filePath;
  },
};
