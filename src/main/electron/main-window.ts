import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow } from 'electron';
import type { TrustedOrigin } from '../handlers/sender-policy';
import { secureWebPreferences } from './window-security';

export interface RendererLocation {
  trusted: TrustedOrigin;
  load(win: BrowserWindow): Promise<void>;
}

/** Where the renderer comes from: the electron-vite dev server in development, the file otherwise. */
export function rendererLocation(outDir: string, devServerUrl: string | undefined): RendererLocation {
  if (devServerUrl) {
    return { trusted: { devOrigin: devServerUrl }, load: (win) => win.loadURL(devServerUrl) };
  }
  const indexPath = join(outDir, 'renderer', 'index.html');
  return { trusted: { fileUrl: pathToFileURL(indexPath).toString() }, load: (win) => win.loadFile(indexPath) };
}

export function createMainWindow(outDir: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Vault Console',
    backgroundColor: '#f6f7f9',
    webPreferences: secureWebPreferences(join(outDir, 'preload', 'index.cjs')),
  });
  win.once('ready-to-show', () => win.show());
  return win;
}
