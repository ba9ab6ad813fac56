// The app's real composition (the same services the app and the harness build) against the
// test OpenBao, with its own SQLite folder and an in-memory keychain, for tests that drive
// handlers the way the renderer does. dispose() closes the services and removes the folder.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHandlers } from '../../../src/main/handlers';
import type { Handlers } from '../../../src/main/handlers/types';
import { createServices, type Services } from '../../../src/main/services/container';
import { MemorySecretStore } from '../../../src/main/services/keychain/memory-secret-store';
import type { ServicesState } from './services';

export interface AppComposition {
  services: Services;
  handlers: Handlers;
  dispose(): Promise<void>;
}

export function composeApp(s: ServicesState, prefix: string): AppComposition {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const services = createServices({
    connection: { address: s.openbao.addr, minTlsVersion: 'TLSv1.3', kvMount: s.openbao.kvMount, timeoutMs: 10_000 },
    shell: 'harness',
    appVersion: 'test',
    platform: process.platform,
    dataDir: dir,
    secretStore: new MemorySecretStore(),
    openExternal: async () => undefined,
    events: { emit: () => undefined },
    autoSync: false,
  });
  return {
    services,
    handlers: createHandlers(services),
    async dispose() {
      await services.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Userpass login requests for `username` (any case) that OpenBao's audit log recorded after byte `mark`. */
export function loginsSeenByVault(auditLogPath: string, username: string, mark: number): number {
  const path = `auth/userpass/login/${username}`.toLowerCase();
  let n = 0;
  for (const line of readFileSync(auditLogPath).subarray(mark).toString('utf8').split('\n')) {
    if (!line.toLowerCase().includes(path)) continue;
    const e = JSON.parse(line) as { type?: string; request?: { path?: string } };
    if (e.type === 'request' && e.request?.path?.toLowerCase() === path) n++;
  }
  return n;
}
