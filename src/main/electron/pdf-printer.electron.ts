// The SOC 2 report's PDF in the app: Electron's printToPDF on a hidden, sandboxed window
// that has no preload (so no bridge), no JavaScript, its own in-memory session that grants
// nothing, and that is destroyed after printing. The page is the report's self-contained
// HTML (inline CSS and SVG; its CSP forbids anything else), loaded as a data: URL.
import { BrowserWindow, session } from 'electron';
import type { PdfPrinter } from '../services/compliance/pdf-printer';

const PARTITION = 'vault-console-pdf';

export const electronPdfPrinter: PdfPrinter = {
  name: 'Electron printToPDF',
  async print(html: string): Promise<Buffer> {
    const ses = session.fromPartition(PARTITION, { cache: false });
    ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    ses.setPermissionCheckHandler(() => false);
    // Nothing leaves the page: every request but the data: URL itself is cancelled.
    ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !details.url.startsWith('data:text/html') }));
    // JavaScript is off and the window is never shown or clicked; every request but the page is cancelled.
    const win = new BrowserWindow({ // eng-disable AUXCLICK_JS_CHECK
      show: false,
      webPreferences: {
        session: ses,
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        javascript: false,
        webSecurity: true,
        webviewTag: false,
        spellcheck: false,
      },
    });
    try {
      await win.loadURL(`data:text/html;charset=utf-8;base64,${Buffer.from(html, 'utf8').toString('base64')}`);
      return await win.webContents.printToPDF({ printBackground: true, pageSize: 'A4', displayHeaderFooter: false, preferCSSPageSize: true });
    } finally {
      win.destroy();
    }
  },
};
