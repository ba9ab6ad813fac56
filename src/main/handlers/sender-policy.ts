// Which page may call the IPC registry: only the app's own renderer document, in
// the main frame. Electron-free so it is unit-tested without a window.

export interface TrustedOrigin {
  /** file:// URL of the packaged renderer's index.html. */
  fileUrl?: string;
  /** http(s) origin of the electron-vite dev server, in development only. */
  devOrigin?: string;
}

export function isTrustedFrameUrl(rawUrl: string, trusted: TrustedOrigin): boolean {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return false;
  }
  if (url.protocol === 'file:') {
    if (!trusted.fileUrl) return false;
    const expected = new URL(trusted.fileUrl);
    // Same document only; the fragment and query are the renderer's own routing.
    return url.pathname === expected.pathname && url.host === expected.host;
  }
  if (trusted.devOrigin && (url.protocol === 'http:' || url.protocol === 'https:')) {
    return url.origin === new URL(trusted.devOrigin).origin;
  }
  return false;
}
