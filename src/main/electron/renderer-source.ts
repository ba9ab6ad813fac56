// Where the console window's page comes from. Electron-free, so the decision is unit-tested.
//
// The built renderer is served on a privileged custom scheme (app-scheme.ts), not file://:
// its origin is the app and nothing else on the disk, which is what CSP 'self' and the IPC
// sender check rely on.
import type { TrustedOrigin } from '../handlers/sender-policy';

export const APP_SCHEME = 'vault-console';
export const APP_HOST = 'app';
/** The one document the IPC registry trusts in a built app. */
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

export type RendererSource =
  | { kind: 'app-scheme'; url: string }
  | { kind: 'dev-server'; url: string };

export interface RendererChoice {
  source: RendererSource;
  /** Why ELECTRON_RENDERER_URL was set but not used (for the log); absent when it was used or unset. */
  ignoredDevServer?: 'packaged' | 'not-loopback-http';
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function isLoopbackHttp(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTS.has(url.hostname) && !url.username && !url.password;
}

/**
 * An installed (packaged) app never honours ELECTRON_RENDERER_URL: another program running as
 * the same user could start it pointed at its own page and drive every IPC channel with the
 * signed-in admin's token. An unpackaged build (`electron-vite dev`) honours it for a loopback
 * http(s) URL only, which is what electron-vite's dev server sets.
 */
export function chooseRendererSource(opts: { isPackaged: boolean; devServerUrl: string | undefined }): RendererChoice {
  const app: RendererSource = { kind: 'app-scheme', url: APP_INDEX_URL };
  const dev = opts.devServerUrl;
  if (!dev) return { source: app };
  if (opts.isPackaged) return { source: app, ignoredDevServer: 'packaged' };
  if (!isLoopbackHttp(dev)) return { source: app, ignoredDevServer: 'not-loopback-http' };
  return { source: { kind: 'dev-server', url: dev } };
}

/** What the IPC registry and the navigation guard trust for a renderer source. */
export function trustedOriginOf(source: RendererSource): TrustedOrigin {
  return source.kind === 'dev-server' ? { devOrigin: source.url } : { appUrl: source.url };
}
