// End-to-end tests drive the real renderer in Debian's Chromium through the browser
// harness (no Electron binary here), against a real OpenBao started by global setup.
import { defineConfig } from '@playwright/test';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Nothing may leave loopback: where a test starts no DNS server of its own, DKIM DNS checks (the
// grace sweep at sign-in runs one) ask a closed loopback port, never the machine's resolver.
process.env.VAULT_CONSOLE_DNS_RESOLVERS ??= '127.0.0.1:9';

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './test/e2e/global-setup.ts',
  // One OpenBao is shared and one test seals it: never run files in parallel.
  workers: 1,
  fullyParallel: false,
  reporter: 'list',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  outputDir: 'test-results/e2e',
  use: {
    headless: true,
    // Never download a browser: use the system Chromium.
    launchOptions: { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
