import { join } from 'node:path';
import { BrowserWindow } from 'electron';

export function createMainWindow(outDir: string): BrowserWindow {
  // Auxclick (middle click) can only open a window or navigate: setWindowOpenHandler denies
  // every window and will-navigate refuses leaving the app (window-security.ts).
  const win = new BrowserWindow({ // eng-disable AUXCLICK_JS_CHECK
    width: 1360,
    height: 860,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Vault Console',
    backgroundColor: '#f6f7f9',
    webPreferences: {
      // The preload exposes invoke/subscribe for contract channels only (src/preload/index.ts).
      preload: join(outDir, 'preload', 'index.cjs'), // eng-disable PRELOAD_JS_CHECK
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  return win;
}
