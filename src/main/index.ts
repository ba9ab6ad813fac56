// Composition root of the desktop app: build the Electron-free services with the
// Electron adapters. Everything that touches electron lives in ./electron.
import { openExternal, runElectronApp } from './electron/app-lifecycle';
import { connectionFromEnv } from './services/config/app-config';
import { createServices } from './services/container';

runElectronApp((shell) =>
  createServices({
    connection: connectionFromEnv(),
    shell: 'electron',
    appVersion: shell.appVersion,
    platform: process.platform,
    openExternal,
    events: shell.events,
  }),
);
