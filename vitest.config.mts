import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/integration/global-setup.ts'],
          // Nothing may leave loopback: a DKIM DNS check (the grace sweep runs one) asks a closed
          // loopback port unless a test starts its own DNS server; never the machine's resolver.
          env: { VAULT_CONSOLE_DNS_RESOLVERS: '127.0.0.1:9' },
          testTimeout: 60_000,
          hookTimeout: 180_000,
          // Integration tests share one OpenBao and one S3 server; files run one at a time
          // so that a test that seals Vault never surprises another.
          fileParallelism: false,
        },
      },
    ],
  },
});
