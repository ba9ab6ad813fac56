// Hardening applied to every window and web contents the app creates.
import { app, session, type BrowserWindowConstructorOptions, type WebContents } from 'electron';
import { createLogger } from '../services/log/logger';
import { isTrustedFrameUrl, type TrustedOrigin } from '../handlers/sender-policy';

const log = createLogger('window');

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function secureWebPreferences(preloadPath: string): BrowserWindowConstructorOptions['webPreferences'] {
  return {
    preload: preloadPath,
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
  };
}

/** In `electron-vite dev` only, React refresh needs inline script and the dev server's websocket. */
export function devServerCsp(devServerUrl: string): string {
  const ws = new URL(devServerUrl);
  ws.protocol = ws.protocol === 'https:' ? 'wss:' : 'ws:';
  return CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "connect-src 'self'",
    `connect-src 'self' ${ws.origin}`,
  );
}

/** Session-wide rules: deny every permission, send our CSP on every response. */
export function hardenDefaultSession(devServerUrl?: string): void {
  const csp = devServerUrl ? devServerCsp(devServerUrl) : CONTENT_SECURITY_POLICY;
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, permission, callback) => {
    log.warn(`refused permission request: ${permission}`);
    callback(false);
  });
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [csp],
        'X-Content-Type-Options': ['nosniff'],
      },
    });
  });
}

/** Every web contents: no navigation away from the app, no new windows, no webviews. */
export function hardenAllWebContents(trusted: TrustedOrigin): void {
  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isTrustedFrameUrl(url, trusted)) {
        event.preventDefault();
        log.warn('refused navigation away from the app');
      }
    });
    contents.on('will-redirect', (event, url) => {
      if (!isTrustedFrameUrl(url, trusted)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    // Links open through the validated shell:open-external channel, never here.
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}
