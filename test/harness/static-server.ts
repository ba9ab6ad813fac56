// Serves the built renderer from one directory: GET/HEAD only, known content types,
// no directory listing, and nothing outside the root (checked after decoding and realpath).
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, isAbsolute, join, relative, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export const BASE_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
} as const;

export function sendText(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { ...BASE_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Resolve a request path to a file under root, or null when it is not allowed.
 * Refuses encoded or literal "..", backslashes, NUL and anything that escapes root via a symlink.
 */
export async function resolveStaticPath(root: string, urlPath: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((s) => s.length > 0);
  if (segments.some((s) => s === '..' || s === '.')) return null;
  const realRoot = await realpath(root);
  const candidate = join(realRoot, ...segments);
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    return null;
  }
  const rel = relative(realRoot, real);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return null;
  const info = await stat(real);
  return info.isFile() ? real : null;
}

export async function serveStatic(root: string, urlPath: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const file = await resolveStaticPath(root, urlPath);
  if (!file) return sendText(res, 404, 'Not found');
  const type = CONTENT_TYPES[extname(file).toLowerCase()];
  // Unknown extensions are refused rather than guessed.
  if (!type) return sendText(res, 404, 'Not found');
  const info = await stat(file);
  res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': type, 'Content-Length': info.size });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).pipe(res);
}

/**
 * The only two changes the harness makes to the app's index.html: allow its own
 * WebSocket in connect-src, and load the bridge before the app's module script.
 */
export function rewriteIndexHtml(html: string, wsOrigin: string, bridgePath: string): string {
  const csp = /(<meta\s+http-equiv="Content-Security-Policy"\s+content="[^"]*?connect-src\s+)([^;"]*)/i;
  if (!csp.test(html)) throw new Error('index.html has no CSP meta with connect-src; refusing to serve it');
  let out = html.replace(csp, (_m, head: string, sources: string) => `${head}${sources.trim()} ${wsOrigin}`);
  const moduleScript = /<script\s+type="module"/i;
  if (!moduleScript.test(out)) throw new Error('index.html has no module script');
  out = out.replace(moduleScript, (m) => `<script src="${bridgePath}"></script>\n    ${m}`);
  return out;
}
