// Hardening applied to every window and web contents the app creates.
import { app, session, type WebContents } from 'electron';
import { createLogger } from '../services/log/logger';
import { isTrustedFrameUrl, type TrustedOrigin } from '../handlers/sender-policy';
import { CONTENT_SECURITY_POLICY, devServerCsp } from './content-security-policy';
import type { RendererSource } from './renderer-source';

const log = createLogger('window');

/**
 * Session-wide rules: deny every permission, send our CSP on every response. The app scheme's
 * handler sends the same CSP itself (app-scheme.ts), so the page never depends on this hook.
 */
export function hardenDefaultSession(source: RendererSource): void {
  const csp = source.kind === 'dev-server' ? devServerCsp(source.url) : CONTENT_SECURITY_POLICY;
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, permission, callback) => {
    log.warn(`refused permission request: ${permission}`);
    callback(false);
  });
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      // The scanner cannot read a CSP held in a variable: csp is CONTENT_SECURITY_POLICY (or its
      // dev-server variant), the policy of src/renderer/index.html plus font-src and frame-ancestors.
      responseHeaders: { // eng-disable CSP_GLOBAL_CHECK
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
    // The positional url argument is deprecated (Electron 25+): read details.url.
    contents.on('will-navigate', (details) => {
      if (!isTrustedFrameUrl(details.url, trusted)) {
        details.preventDefault();
        log.warn('refused navigation away from the app');
      }
    });
    contents.on('will-redirect', (details) => {
      if (!isTrustedFrameUrl(details.url, trusted)) details.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    // Links open through the validated shell:open-external channel, never here.
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}
