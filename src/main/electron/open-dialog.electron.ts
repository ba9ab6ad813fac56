import { BrowserWindow, dialog, type OpenDialogOptions } from 'electron';
import type { AuditFilePicker } from '../services/audit/audit-files';

async function show(opts: OpenDialogOptions): Promise<string[]> {
  const parent = BrowserWindow.getFocusedWindow();
  const r = parent ? await dialog.showOpenDialog(parent, opts) : await dialog.showOpenDialog(opts);
  return r.canceled ? [] : r.filePaths;
}

/** Native open dialogs for the audit log to tail and the files to import: main picks every path, the renderer never names one. */
export const electronAuditFilePicker: AuditFilePicker = {
  async pickLogFile() {
    const [p] = await show({ title: "Vault's file audit log to follow", properties: ['openFile', 'dontAddToRecent'] });
    return p ?? null;
  },
  async pickImportFiles() {
    const paths = await show({
      title: 'Audit logs or Vault Console exports to import',
      properties: ['openFile', 'multiSelections', 'dontAddToRecent'],
      filters: [
        { name: 'Audit logs and exports', extensions: ['log', 'gz', 'json', 'jsonl', 'ndjson', 'csv'] },
        { name: 'All files', extensions: ['*'] },
      ],
    });
    return paths.slice(0, 100);
  },
};
