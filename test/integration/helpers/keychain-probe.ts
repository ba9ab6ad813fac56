// Child-process probe for keychain.test.ts: runs each SecretStore call against the real
// keytar adapter in this process's environment and prints one JSON line per call.
import { KeytarSecretStore } from '../../../src/main/services/keychain/keychain.keytar';

async function outcome(fn: () => Promise<unknown>): Promise<{ ok: boolean; code?: string; message?: string }> {
  try {
    await fn();
    return { ok: true };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { ok: false, code: e.code ?? 'NONE', message: e.message ?? String(err) };
  }
}

async function main(): Promise<void> {
  const store = new KeytarSecretStore({ timeoutMs: 5_000 });
  const account = 'probe:no-keychain';
  const results = {
    check: await outcome(() => store.check()),
    get: await outcome(() => store.get(account)),
    set: await outcome(() => store.set(account, 'must-never-be-stored-in-plaintext')),
    delete: await outcome(() => store.delete(account)),
  };
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

void main();
