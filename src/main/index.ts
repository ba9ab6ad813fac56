// Composition root of the Electron app: build the services, wire the Electron
// adapters, register the IPC handlers, open the window.
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain } from 'electron';
import { connectionFromEnv } from './services/config/app-config';
import { createServices } from './services/container';
import { createHandlers } from './handlers';
import { createLogger } from './services/log/logger';
import { createWindowEventSink, registerIpc } from './electron/ipc-registry';
import { createMainWindow, rendererLocation } from './electron/main-window';
import { hardenAllWebContents, hardenDefaultSession } from './electron/window-security';
import { openExternal } from './electron/shell.electron';

const log = createLogger('app');
const outDir = join(__dirname, '..');

// One instance: a second launch focuses the first instead of opening a second session.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void start();
}

async function start(): Promise<void> {
  const location = rendererLocation(outDir, process.env.ELECTRON_RENDERER_URL);
  hardenAllWebContents(location.trusted);
  await app.whenReady();
  hardenDefaultSession();

  const windows = new Set<BrowserWindow>();
  const services = createServices({
    connection: connectionFromEnv(),
    shell: 'electron',
    appVersion: app.getVersion(),
    platform: process.platform,
    openExternal,
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
  log.info(`started, Vault at ${services.deps.connection.address}`);

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
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => {
    void services.dispose();
  });
}
