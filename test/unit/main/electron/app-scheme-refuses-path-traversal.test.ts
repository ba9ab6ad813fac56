// Attack: a request on the app scheme (from a compromised renderer, or a URL the app is made to
// load) names a file outside the built renderer directory: `..` literal or percent-encoded,
// an encoded slash or backslash, an absolute path, a drive letter, or a symlink that leads out.
// The handler answers only regular files under the renderer directory, with a known type and
// the app's CSP; everything else is a 404 that carries nothing of the file.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSchemeResponse, resolveAppFile } from '../../../../src/main/electron/app-scheme';
import { CONTENT_SECURITY_POLICY } from '../../../../src/main/electron/content-security-policy';

const SECRET = 'vault token hvs.outside-the-renderer-0123456789';
// Made when the file loads: the table of attacks below names paths under it.
const base = mkdtempSync(join(tmpdir(), 'app-scheme-'));
const root = join(base, 'renderer');

beforeAll(() => {
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Vault Console</title>');
  writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log(1);');
  writeFileSync(join(root, 'assets', 'index-abc.css'), 'body{}');
  writeFileSync(join(root, 'assets', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(root, 'assets', 'blob.bin'), 'binary');
  // Outside the renderer directory: a secret beside it, and a sibling whose name starts like it.
  writeFileSync(join(base, 'secret.txt'), SECRET);
  mkdirSync(join(base, 'renderer-evil'));
  writeFileSync(join(base, 'renderer-evil', 'x.html'), SECRET);
  // Symlinks that lead out, and one that stays inside.
  symlinkSync(join(base, 'secret.txt'), join(root, 'leak.txt'));
  symlinkSync(base, join(root, 'up'));
  symlinkSync('../renderer-evil/x.html', join(root, 'sibling.html'));
  symlinkSync(join(root, 'index.html'), join(root, 'alias.html'));
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

async function get(url: string, method = 'GET') {
  const res = await appSchemeResponse(root, new Request(url, { method }));
  return { status: res.status, type: res.headers.get('content-type'), csp: res.headers.get('content-security-policy'), headers: res.headers, body: await res.text() };
}

describe('app scheme: what it serves', () => {
  it('serves index.html with its type, the CSP and nosniff', async () => {
    const r = await get('vault-console://app/index.html');
    expect(r).toMatchObject({ status: 200, type: 'text/html; charset=utf-8', csp: CONTENT_SECURITY_POLICY, body: '<!doctype html><title>Vault Console</title>' });
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.csp).toContain("frame-ancestors 'none'");
  });

  it.each([
    ['vault-console://app/assets/index-abc.js', 'text/javascript; charset=utf-8'],
    ['vault-console://app/assets/index-abc.css', 'text/css; charset=utf-8'],
    ['vault-console://app/assets/logo.svg', 'image/svg+xml'],
    ['vault-console://app/index.html?x=1#/health', 'text/html; charset=utf-8'],
    ['vault-console://app/alias.html', 'text/html; charset=utf-8'],
  ])('serves %s as %s', async (url, type) => {
    const r = await get(url);
    expect(r.status).toBe(200);
    expect(r.type).toBe(type);
    expect(r.csp).toBe(CONTENT_SECURITY_POLICY);
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    expect(await get('vault-console://app/index.html', 'HEAD')).toMatchObject({ status: 200, body: '' });
    expect((await get('vault-console://app/index.html', 'POST')).status).toBe(405);
    expect((await get('vault-console://app/index.html', 'PUT')).status).toBe(405);
  });

  it('refuses a file type it does not know, directories and the bare root', async () => {
    expect((await get('vault-console://app/assets/blob.bin')).status).toBe(404);
    expect((await get('vault-console://app/assets')).status).toBe(404);
    expect((await get('vault-console://app/assets/')).status).toBe(404);
    expect((await get('vault-console://app/')).status).toBe(404);
    expect((await get('vault-console://app/missing.js')).status).toBe(404);
  });

  it('refuses other hosts and schemes handed to it', async () => {
    expect((await get('vault-console://evil/index.html')).status).toBe(404);
    expect((await get('https://app/index.html')).status).toBe(404);
  });
});

describe('app scheme: traversal out of the renderer directory', () => {
  it.each([
    ['literal ..', 'vault-console://app/../secret.txt'],
    ['.. after a folder', 'vault-console://app/assets/../../secret.txt'],
    ['percent-encoded ..', 'vault-console://app/%2e%2e/secret.txt'],
    ['mixed-case encoded ..', 'vault-console://app/%2E%2e/secret.txt'],
    ['.. joined by an encoded slash', 'vault-console://app/..%2fsecret.txt'],
    ['.. joined by encoded slashes in a folder', 'vault-console://app/assets/..%2f..%2fsecret.txt'],
    ['double-encoded ..', 'vault-console://app/%252e%252e/secret.txt'],
    ['an encoded backslash', 'vault-console://app/..%5csecret.txt'],
    ['an encoded NUL', 'vault-console://app/index.html%00.js'],
    ['an absolute path', `vault-console://app/${encodeURIComponent(join(base, 'secret.txt'))}`],
    ['a doubled slash', `vault-console://app/${join(base, 'secret.txt')}`],
    ['a drive letter', 'vault-console://app/C:%5cWindows%5cwin.ini'],
    ['a broken escape', 'vault-console://app/%E0%A4%A.js'],
    ['a symlink to a file outside', 'vault-console://app/leak.txt'],
    ['a symlinked folder outside', 'vault-console://app/up/secret.txt'],
    ['a symlink to a sibling folder with the same prefix', 'vault-console://app/sibling.html'],
    ['the sibling folder itself', 'vault-console://app/../renderer-evil/x.html'],
  ])('refuses %s with a 404 that carries nothing of the file', async (_name, url) => {
    const r = await get(url);
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('hvs.');
    expect(r.body).toBe('Not found');
  });

  it.each([
    ['/../secret.txt'],
    ['/assets/../../secret.txt'],
    ['/./index.html'],
    ['/%2e%2e/secret.txt'],
    ['/..%2Fsecret.txt'],
    ['/..\\secret.txt'],
    ['//' + join(base, 'secret.txt')],
    ['/up/../../secret.txt'],
  ])('resolves no file for the raw path %s (paths the URL parser did not normalise)', async (path) => {
    expect(await resolveAppFile(root, path)).toBeNull();
  });

  it('an absolute path is read under the root, never from the disk root', async () => {
    expect(await resolveAppFile(root, join(base, 'secret.txt'))).toBeNull();
    expect(await resolveAppFile(root, '/etc/passwd')).toBeNull();
  });
});
