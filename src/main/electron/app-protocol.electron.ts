// The app scheme in Electron: registered as privileged before the app is ready, answered by
// app-scheme.ts once it is.
import { protocol } from 'electron';
import { appSchemeResponse } from './app-scheme';
import { APP_SCHEME } from './renderer-source';

/**
 * Before `ready`. standard: a real origin (vault-console://app) and relative URLs;
 * secure: a secure context, like https. No fetch, CORS, service worker or CSP bypass.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true } }]);
}

/** After `ready`: the built renderer directory, and nothing else, on the app scheme. */
export function serveAppScheme(rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => appSchemeResponse(rendererDir, request));
}
