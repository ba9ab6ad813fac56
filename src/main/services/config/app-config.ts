// Where the console points and how it talks to Vault. Issue-level features
// (connection profiles) build on this; the foundation reads it from the
// environment the way the Vault CLI does.
import { readFileSync } from 'node:fs';
import { AppError } from '../../../shared/errors';

export interface VaultConnection {
  /** e.g. https://vault.example.com:8200 */
  address: string;
  /** PEM bundle of the CA that signs the Vault server certificate, if not a public CA. */
  caCert?: string;
  /** Minimum TLS version for https addresses; the spec wants TLS 1.3. */
  minTlsVersion: 'TLSv1.2' | 'TLSv1.3';
  namespace?: string;
  /** KV v2 mount that holds the tenants. */
  kvMount: string;
  /** Per-request timeout, milliseconds. */
  timeoutMs: number;
}

export const DEFAULT_ADDRESS = 'http://127.0.0.1:8200';

/** Build a connection from VAULT_ADDR / VAULT_CACERT / VAULT_NAMESPACE / VAULT_CONSOLE_KV_MOUNT. */
export function connectionFromEnv(env: NodeJS.ProcessEnv = process.env): VaultConnection {
  const address = parseAddress(env.VAULT_ADDR ?? DEFAULT_ADDRESS);
  let caCert: string | undefined;
  if (env.VAULT_CACERT) {
    try {
      caCert = readFileSync(env.VAULT_CACERT, 'utf8');
    } catch (err) {
      throw new AppError('BAD_INPUT', `VAULT_CACERT: cannot read ${env.VAULT_CACERT}`, { cause: err });
    }
  }
  const kvMount = env.VAULT_CONSOLE_KV_MOUNT ?? 'tenants';
  if (!/^[A-Za-z0-9_-][A-Za-z0-9_./-]*$/.test(kvMount) || kvMount.includes('..')) {
    throw new AppError('BAD_INPUT', `VAULT_CONSOLE_KV_MOUNT: invalid mount name`);
  }
  return {
    address,
    caCert,
    minTlsVersion: env.VAULT_CONSOLE_MIN_TLS === '1.2' ? 'TLSv1.2' : 'TLSv1.3',
    namespace: env.VAULT_NAMESPACE || undefined,
    kvMount: kvMount.replace(/\/+$/, ''),
    timeoutMs: 10_000,
  };
}

export function parseAddress(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new AppError('BAD_INPUT', `Vault address is not a URL: ${JSON.stringify(raw.slice(0, 200))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('BAD_INPUT', `Vault address must be http or https, not ${url.protocol.replace(':', '')}`);
  }
  if (url.username || url.password) throw new AppError('BAD_INPUT', 'Vault address must not contain credentials');
  return `${url.protocol}//${url.host}`;
}
