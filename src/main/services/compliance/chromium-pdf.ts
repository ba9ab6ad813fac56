// PdfPrinter over a headless Chromium binary (the CLI on an ops host, the browser harness):
// the report is written to a private temp folder and printed with --print-to-pdf. The page
// has no script (its CSP forbids any; --blink-settings=scriptEnabled=false would also stop
// Chromium's own print step) and loads nothing; Chromium gets a throwaway profile.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppError } from '../../../shared/errors';
import type { PdfPrinter } from './pdf-printer';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'];

/** The Chromium binary: VAULT_CONSOLE_CHROMIUM, else the usual places; null when none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const configured = env.VAULT_CONSOLE_CHROMIUM?.trim();
  if (configured) return existsSync(configured) ? configured : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

export class ChromiumPdfPrinter implements PdfPrinter {
  readonly name: string;
  constructor(
    private readonly binary: string,
    private readonly timeoutMs = 120_000,
  ) {
    this.name = `headless Chromium (${binary})`;
  }

  async print(html: string): Promise<Buffer> {
    const dir = await mkdtemp(join(tmpdir(), 'vc-pdf-'));
    try {
      const page = join(dir, 'report.html');
      const out = join(dir, 'report.pdf');
      await writeFile(page, html, { mode: 0o600 });
      const args = [
        '--headless',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-extensions',
        `--user-data-dir=${join(dir, 'profile')}`,
        '--no-pdf-header-footer',
        `--print-to-pdf=${out}`,
        pathToFileURL(page).href,
      ];
      // Chromium refuses to run as root with its sandbox on (containers, CI).
      if (typeof process.getuid === 'function' && process.getuid() === 0) args.unshift('--no-sandbox');
      await new Promise<void>((resolve, reject) => {
        execFile(this.binary, args, { timeout: this.timeoutMs, maxBuffer: 4 << 20 }, (err) => (err ? reject(err) : resolve()));
      }).catch((err: unknown) => {
        throw new AppError('INTERNAL', `Chromium could not print the report to PDF (${err instanceof Error ? err.message.split('\n')[0]!.slice(0, 120) : 'error'}).`);
      });
      return await readFile(out);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
