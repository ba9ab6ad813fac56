// The Electron application's lifecycle: single instance, windows, IPC
// registration. index.ts hands in the services it built.
import { join } from 'node:path';
import { app, ipcMain, type BrowserWindow } from 'electron';
import { createHandlers } from '../handlers';
import type { EventSink } from '../handlers/types';
import type { Services } from '../services/container';
import { createLogger } from '../services/log/logger';
import { createWindowEventSink, registerIpc } from './ipc-registry';
import { createMainWindow, rendererLocation } from './main-window';
import { hardenAllWebContents, hardenDefaultSession } from './window-security';

export { openExternal } from './shell.electron';

const log = createLogger('app');

export interface ElectronShell {
  appVersion: string;
  /** The per-user app data folder (SQLite lives here; never a secret). */
  userDataDir: string;
  /** Pushes contract events to every open console window. */
  events: EventSink;
}

/**
 * Starts the Electron app. `build` receives what only Electron knows (the app
 * version, the event sink over the windows) and returns the services.
 */
export function runElectronApp(build: (shell: ElectronShell) => Services): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  const outDir = join(__dirname, '..');
  const devServerUrl = process.env.ELECTRON_RENDERER_URL;
  const location = rendererLocation(outDir, devServerUrl);
  hardenAllWebContents(location.trusted);

  const windows = new Set<BrowserWindow>();
  void app.whenReady().then(async () => {
    hardenDefaultSession(devServerUrl);
    const services = build({
      appVersion: app.getVersion(),
      userDataDir: app.getPath('userData'),
      events: createWindowEventSink(() => [...windows].map((w) => w.webContents)),
    });
    registerIpc(ipcMain, createHandlers(services), location.trusted, (id) =>
      [...windows].some((w) => !w.isDestroyed() && w.webContents.id === id),
    );

    const open = async () => {
      const win = createMainWindow(outDir);
      windows.add(win);
      win.on('closed', () => windows.delete(win));
      await location.load(win);
    };
    await open();
    log.info(`started, Vault at ${services.connection().address}`);

    app.on('second-instance', () => {
      const [first] = windows;
      if (first) {
        if (first.isMinimized()) first.restore();
        first.focus();
      }
    });
    app.on('activate', () => {
      if (windows.size === 0) void open();
    });
    app.on('before-quit', () => {
      void services.dispose();
    });
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
