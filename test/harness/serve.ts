// `npm run dev:web`: start the browser harness and print the page URL (with its token).
// Options: --port <n>, --rebuild, --host (only 127.0.0.1 is accepted). Vault address comes from VAULT_ADDR as in the app.
import { startHarness } from './harness';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const port = Number(argValue('--port') ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be 0..65535');
  const harness = await startHarness({ port, host: argValue('--host'), build: process.argv.includes('--rebuild') ? 'always' : 'if-stale' });
  process.stdout.write(`Vault Console harness (loopback only): ${harness.url}\n`);
  const stop = () => {
    void harness.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`harness failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
