// Which page may call the IPC registry: only the app's own renderer document, in
// the main frame. Electron-free so it is unit-tested without a window.

export interface TrustedOrigin {
  /**
   * URL of the built renderer's index.html on the app's privileged scheme
   * (vault-console://app/index.html). No file:// URL is ever trusted: that origin is
   * every file on the disk.
   */
  appUrl?: string;
  /** http(s) origin of the electron-vite dev server, in an unpackaged build only. */
  devOrigin?: string;
}

function parse(raw: string): URL | null {
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

export function isTrustedFrameUrl(rawUrl: string, trusted: TrustedOrigin): boolean {
  const url = parse(rawUrl);
  if (!url) return false;
  if (trusted.appUrl) {
    const app = parse(trusted.appUrl);
    // A custom scheme's URL has no origin in Node (`null`): compare its parts. Same document
    // only; the fragment and query are the renderer's own routing.
    if (
      app &&
      app.protocol !== 'file:' &&
      url.protocol === app.protocol &&
      url.host === app.host &&
      url.pathname === app.pathname &&
      !url.username &&
      !url.password
    ) {
      return true;
    }
  }
  if (trusted.devOrigin && (url.protocol === 'http:' || url.protocol === 'https:')) {
    return url.origin === new URL(trusted.devOrigin).origin;
  }
  return false;
}
