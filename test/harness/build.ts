// Builds what the harness serves: the renderer (Vite, same settings as the renderer
// section of electron.vite.config.ts) when out/renderer is missing or older than its
// sources, and the bridge script (esbuild, in memory).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build as esbuild } from 'esbuild';

export const ROOT = resolve(__dirname, '../..');
export const RENDERER_OUT = join(ROOT, 'out/renderer');
const RENDERER_SRC = join(ROOT, 'src/renderer');
const SHARED_SRC = join(ROOT, 'src/shared');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export function rendererIsStale(): boolean {
  const index = join(RENDERER_OUT, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return Math.max(newestMtime(RENDERER_SRC), newestMtime(SHARED_SRC)) > built;
}

export async function buildRenderer(): Promise<void> {
  // Imported lazily: a fresh build is rare and Vite is heavy to load.
  const { build } = await import('vite');
  const { default: react } = await import('@vitejs/plugin-react');
  await build({
    configFile: false,
    logLevel: 'warn',
    root: RENDERER_SRC,
    // Relative asset URLs, as electron-vite emits for file:// loading.
    base: './',
    plugins: [react()],
    build: {
      outDir: RENDERER_OUT,
      emptyOutDir: true,
      rollupOptions: { input: { index: join(RENDERER_SRC, 'index.html') } },
    },
  });
}

export async function ensureRendererBuilt(opts: { force?: boolean } = {}): Promise<'built' | 'fresh'> {
  if (!opts.force && !rendererIsStale()) return 'fresh';
  await buildRenderer();
  return 'built';
}

export async function buildBridgeScript(): Promise<string> {
  const result = await esbuild({
    entryPoints: [join(__dirname, 'bridge.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    legalComments: 'none',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no bridge output');
  return file.text;
}
