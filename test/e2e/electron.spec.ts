// The packaged shape: launch the built Electron app and check it shows the Health view, served
// from the app's own scheme. Runs only where the Electron binary exists (it is not downloaded
// on this machine).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { readE2eState } from './support/e2e-state';

const ROOT = resolve(__dirname, '../..');
const MAIN = join(ROOT, 'out/main/index.js');

/**
 * The Electron binary, found the way the electron package finds it (path.txt under its dist/,
 * or ELECTRON_OVERRIDE_DIST_PATH), without require('electron'): since Electron 42 that call
 * downloads the binary when it is missing, and this machine must not reach the internet.
 */
function electronBinary(): { path: string } | { reason: string } {
  const pkgDir = dirname(createRequire(__filename).resolve('electron/package.json'));
  const pathFile = join(pkgDir, 'path.txt');
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  if (!override && !name) return { reason: 'Electron binary not installed (no path.txt; run npx install-electron)' };
  const path = override ? join(override, name ?? 'electron') : join(pkgDir, 'dist', name!);
  return existsSync(path) ? { path } : { reason: `Electron binary not found at ${path}` };
}

const bin = electronBinary();
const skipReason = 'reason' in bin ? bin.reason : !existsSync(MAIN) ? `${MAIN} not built; run npx electron-vite build` : null;
if (skipReason) process.stdout.write(`electron.spec.ts skipped: ${skipReason}\n`);

test('the built app opens a window on vault-console://app that shows the Health view', async () => {
  test.skip(skipReason !== null, skipReason ?? '');
  const { openbao } = readE2eState();
  const env = { ...process.env, VAULT_ADDR: openbao.addr } as Record<string, string>;
  // The built renderer, not a dev server.
  delete env.ELECTRON_RENDERER_URL;
  const app = await electron.launch({ executablePath: (bin as { path: string }).path, args: [MAIN, '--no-sandbox'], env });
  try {
    const win = await app.firstWindow();
    await expect(win.getByTestId('health-view')).toBeVisible();
    await expect(win.getByTestId('card-seal-value')).toContainText('Unsealed');
    await expect(win.getByTestId('vault-address')).toHaveText(openbao.addr);
    // Served from the privileged app scheme, not file://, and a secure context.
    expect(win.url()).toMatch(/^vault-console:\/\/app\/index\.html(?:[#?].*)?$/);
    const page = await win.evaluate(() => {
      const g = globalThis as unknown as { location: { origin: string }; isSecureContext: boolean };
      return { origin: g.location.origin, secure: g.isSecureContext };
    });
    expect(page).toEqual({ origin: 'vault-console://app', secure: true });
  } finally {
    await app.close();
  }
});
