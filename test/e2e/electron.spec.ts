// The packaged shape: launch the built Electron app and check it shows the Health view.
// Runs only where the Electron binary exists (it is not downloaded on this machine).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { readE2eState } from './support/e2e-state';

const ROOT = resolve(__dirname, '../..');
const MAIN = join(ROOT, 'out/main/index.js');

/** The electron package exports the binary path, and throws when the binary was not downloaded. */
function electronBinary(): { path: string } | { reason: string } {
  try {
    const path = createRequire(__filename)('electron') as unknown;
    if (typeof path !== 'string' || !existsSync(path)) return { reason: `Electron binary not found at ${String(path)}` };
    return { path };
  } catch (err) {
    return { reason: `Electron binary not installed (${(err as Error).message.split('\n')[0]})` };
  }
}

const bin = electronBinary();
const skipReason = 'reason' in bin ? bin.reason : !existsSync(MAIN) ? `${MAIN} not built; run npx electron-vite build` : null;
if (skipReason) process.stdout.write(`electron.spec.ts skipped: ${skipReason}\n`);

test('the built app opens a window that shows the Health view', async () => {
  test.skip(skipReason !== null, skipReason ?? '');
  const { openbao } = readE2eState();
  const app = await electron.launch({
    executablePath: (bin as { path: string }).path,
    args: [MAIN, '--no-sandbox'],
    env: { ...process.env, VAULT_ADDR: openbao.addr } as Record<string, string>,
  });
  try {
    const win = await app.firstWindow();
    await expect(win.getByTestId('health-view')).toBeVisible();
    await expect(win.getByTestId('card-seal-value')).toContainText('Unsealed');
    await expect(win.getByTestId('vault-address')).toHaveText(openbao.addr);
  } finally {
    await app.close();
  }
});
