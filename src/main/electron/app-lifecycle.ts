// The Electron application's lifecycle: single instance, windows, IPC
// registration. index.ts hands in the services it built.
import { join } from 'node:path';
import { app, ipcMain, powerMonitor, type BrowserWindow } from 'electron';
import { createHandlers } from '../handlers';
import type { EventSink } from '../handlers/types';
import type { Services } from '../services/container';
import { createLogger } from '../services/log/logger';
import { registerAppScheme, serveAppScheme } from './app-protocol.electron';
import { electronSecretClipboard } from './clipboard.electron';
import { windowContentProtection } from './content-protection.electron';
import { createWindowEventSink, registerIpc } from './ipc-registry';
import { createMainWindow } from './main-window';
import { chooseRendererSource, trustedOriginOf } from './renderer-source';
import type { SecretClipboardQueue } from './secret-clipboard-queue';
import { hardenAllWebContents, hardenDefaultSession } from './window-security';

export { openExternal } from './shell.electron';

const log = createLogger('app');
/** How long the quit waits for reveals to close and the clipboard to clear. */
const QUIT_CLIPBOARD_WAIT_MS = 3_000;

export interface ElectronShell {
  appVersion: string;
  /** The per-user app data folder (SQLite lives here; never a secret). */
  userDataDir: string;
  /** Pushes contract events to every open console window. */
  events: EventSink;
  /** Reveal adapters: the OS clipboard and screen-capture protection of the console windows. */
  clipboard: SecretClipboardQueue;
  contentProtection: ReturnType<typeof windowContentProtection>;
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
  const { source, ignoredDevServer } = chooseRendererSource({ isPackaged: app.isPackaged, devServerUrl: process.env.ELECTRON_RENDERER_URL });
  if (ignoredDevServer) log.warn(`ELECTRON_RENDERER_URL ignored (${ignoredDevServer}); loading the built renderer`);
  const trusted = trustedOriginOf(source);
  registerAppScheme();
  hardenAllWebContents(trusted);

  const windows = new Set<BrowserWindow>();
  const contentProtection = windowContentProtection(() => windows);
  const clipboard = electronSecretClipboard();
  void app.whenReady().then(async () => {
    if (source.kind === 'app-scheme') serveAppScheme(join(outDir, 'renderer'));
    hardenDefaultSession(source);
    const services = build({
      appVersion: app.getVersion(),
      userDataDir: app.getPath('userData'),
      events: createWindowEventSink(() => [...windows].map((w) => w.webContents)),
      clipboard,
      contentProtection,
    });
    // A locked screen hides every revealed credential (where the OS reports it).
    powerMonitor.on('lock-screen', () => {
      void services.reveal.closeAll('lock-screen');
      services.rotation.apiKeys.closeAll('lock-screen');
    });
    registerIpc(ipcMain, createHandlers(services), trusted, (id) =>
      [...windows].some((w) => !w.isDestroyed() && w.webContents.id === id),
    );

    const open = async () => {
      const win = createMainWindow(outDir);
      windows.add(win);
      contentProtection.applyTo(win);
      win.on('closed', () => {
        windows.delete(win);
        // The credential's window is gone: wipe, revoke, clear the clipboard.
        if (windows.size === 0) {
          void services.reveal.closeAll('window-closed');
          services.rotation.apiKeys.closeAll('window-closed');
        }
      });
      await win.loadURL(source.url);
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
    let secretsClosed = false;
    app.on('before-quit', (event) => {
      if (!secretsClosed) {
        // Revoke re-auth tokens, zero the buffers and clear the clipboard (asynchronous since
        // Electron 44) before the process goes away; a stuck clipboard does not block the quit.
        event.preventDefault();
        secretsClosed = true;
        const closeSecrets = async () => {
          await services.reveal.closeAll('quit');
          services.rotation.apiKeys.closeAll('quit');
          await clipboard.flush();
        };
        const bound = new Promise<void>((resolve) => setTimeout(resolve, QUIT_CLIPBOARD_WAIT_MS).unref());
        void Promise.race([closeSecrets(), bound])
          .catch((err: unknown) => log.error('closing revealed secrets on quit failed', err))
          .finally(() => app.quit());
        return;
      }
      void services.dispose();
    });
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
