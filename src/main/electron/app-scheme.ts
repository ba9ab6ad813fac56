// The app scheme's request handler: answers vault-console://app/<path> with a file of the
// built renderer directory, and nothing else. Electron-free (web Request/Response and
// node:fs, which Electron patches to read inside app.asar), so traversal is unit-tested;
// app-protocol.electron.ts hands it to protocol.handle.
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, sep } from 'node:path';
import { CONTENT_SECURITY_POLICY } from './content-security-policy';
import { APP_HOST, APP_SCHEME } from './renderer-source';

/** What the renderer build emits. Anything else is refused rather than guessed. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

const HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
} as const;

export function contentTypeOf(file: string): string | undefined {
  return CONTENT_TYPES[extname(file).toLowerCase()];
}

/**
 * The file under `root` that a URL path names, or null. Refuses, before touching the disk:
 * undecodable escapes, NUL, backslashes, `.`/`..` segments (literal or percent-encoded, as
 * the URL parser may leave `%2f`-joined ones in one segment), drive letters and absolute
 * segments; then, on the disk, anything whose real path (symlinks resolved) leaves root,
 * and anything that is not a regular file. The root itself (`/`) is not a file.
 */
export async function resolveAppFile(root: string, urlPath: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((s) => s.length > 0);
  if (segments.length === 0) return null;
  if (segments.some((s) => s === '.' || s === '..' || s.includes(':') || isAbsolute(s))) return null;
  try {
    const realRoot = await realpath(root);
    const real = await realpath(join(realRoot, ...segments));
    const rel = relative(realRoot, real);
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return null;
    return (await stat(real)).isFile() ? real : null;
  } catch {
    return null;
  }
}

function refuse(status: number, text: string): Response {
  return new Response(text, { status, headers: { ...HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });
}

/** The answer to one request on the app scheme, from the files under `root` (the built renderer). */
export async function appSchemeResponse(root: string, request: Request): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'Method not allowed');
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return refuse(400, 'Bad request');
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || url.username || url.password) return refuse(404, 'Not found');
  const file = await resolveAppFile(root, url.pathname);
  const type = file ? contentTypeOf(file) : undefined;
  if (!file || !type) return refuse(404, 'Not found');
  const body = request.method === 'HEAD' ? null : new Uint8Array(await readFile(file));
  return new Response(body, { status: 200, headers: { ...HEADERS, 'Content-Type': type } });
}
