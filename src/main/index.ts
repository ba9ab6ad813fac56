// Composition root of the desktop app: build the Electron-free services with the
// Electron adapters. Everything that touches electron lives in ./electron.
import { openExternal, runElectronApp } from './electron/app-lifecycle';
import { electronPdfPrinter } from './electron/pdf-printer.electron';
import { electronAuditFilePicker } from './electron/open-dialog.electron';
import { electronSavePathPicker } from './electron/save-dialog.electron';
import { connectionFromEnv } from './services/config/app-config';
import { createServices } from './services/container';
import { KeytarSecretStore } from './services/keychain/keychain.keytar';

runElectronApp((shell) =>
  createServices({
    connection: connectionFromEnv(),
    shell: 'electron',
    appVersion: shell.appVersion,
    platform: process.platform,
    dataDir: shell.userDataDir,
    // The OS keychain holds the Vault token; without one, sign-in is refused.
    secretStore: new KeytarSecretStore(),
    openExternal,
    // Tenant key downloads go where the user picks in a native save dialog.
    savePath: electronSavePathPicker,
    // Audit logs to tail or import are picked in native open dialogs, never named by the renderer.
    auditFiles: electronAuditFilePicker,
    events: shell.events,
    clipboard: shell.clipboard,
    contentProtection: shell.contentProtection,
    // SOC 2 reports print to PDF with Electron's printToPDF (issue 15).
    pdf: electronPdfPrinter,
    // DKIM DNS checks: resolvers for profiles without their own list (else the system's).
    dnsResolvers: process.env.VAULT_CONSOLE_DNS_RESOLVERS,
  }),
);
