// The JSON file through which the test services (started once per run) tell the tests
// where they are and how to get in. It holds test fixtures only: a throwaway OpenBao's
// root token and unseal keys, random userpass passwords, and S3 test credentials.
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
/** Default location; `.vault-console-dev/` is git-ignored. */
export const DEFAULT_STATE_PATH = join(REPO_ROOT, '.vault-console-dev', 'services.json');
/** The env var through which global setup hands the state path to test workers. */
export const STATE_ENV = 'VAULT_CONSOLE_TEST_STATE';

export interface UserCredentials {
  username: string;
  password: string;
}

export interface OpenBaoState {
  addr: string;
  version: string;
  rootToken: string;
  unsealKeys: string[];
  threshold: number;
  kvMount: string;
  users: { admin: UserCredentials; secondAdmin?: UserCredentials; auditor: UserCredentials; tenant?: UserCredentials & { tenantId: string } };
  auditLogPath: string;
  dataDir: string;
  configPath: string;
  pid: number;
}

export interface S3State {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  dataDir: string;
  versioning: boolean;
  pid: number;
}

export interface ServicesState {
  writtenAt: string;
  openbao: OpenBaoState;
  s3?: S3State;
}

/** Writes atomically with mode 0600: the file holds a root token and unseal keys. */
export async function writeState(state: ServicesState, path = DEFAULT_STATE_PATH): Promise<string> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
  return path;
}

export async function readState(path = process.env[STATE_ENV] ?? DEFAULT_STATE_PATH): Promise<ServicesState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      `Test services state file not found at ${path} (${code ?? 'read error'}). ` +
        'Start the services first (vitest --project integration runs global-setup, or `npm run services:up`).',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`Test services state file ${path} is not valid JSON; delete it and start the services again.`);
  }
  const s = parsed as Partial<ServicesState>;
  if (!s || typeof s !== 'object' || !s.openbao || typeof s.openbao.addr !== 'string') {
    throw new Error(`Test services state file ${path} has no openbao.addr; delete it and start the services again.`);
  }
  return s as ServicesState;
}
