// What global setup hands to the specs: the harness page and the OpenBao it talks to.
// Written 0600 to a private temp dir; it holds a throwaway server's root token and keys.
import { readFileSync } from 'node:fs';

export const E2E_STATE_ENV = 'VAULT_CONSOLE_E2E_STATE';

export interface E2eState {
  harness: { url: string; origin: string; token: string };
  /** Where a spec writes what main's next audit file dialog answers (support/audit-picks.ts). */
  auditPicksPath: string;
  openbao: {
    addr: string;
    version: string;
    rootToken: string;
    unsealKeys: string[];
    threshold: number;
    users: { admin: { username: string; password: string }; auditor: { username: string; password: string } };
  };
}

export function readE2eState(): E2eState {
  const path = process.env[E2E_STATE_ENV];
  if (!path) throw new Error(`${E2E_STATE_ENV} is not set; run the specs through \`npx playwright test\` (global setup).`);
  return JSON.parse(readFileSync(path, 'utf8')) as E2eState;
}
