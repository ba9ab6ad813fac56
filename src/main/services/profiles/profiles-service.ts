// Connection profiles: several Vault clusters, one active. Stored in SQLite with
// no secrets (a CA certificate is public). Switching the active profile switches
// the unauthenticated client and the session (each profile keeps its own token
// in the keychain) and tells every view.
// Security: the active cluster is always an explicit stored choice (setActive); saving
// or editing a profile never changes it, and nothing picks "the first one" by itself.
import { randomBytes, X509Certificate } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import { parseAddress, type VaultConnection } from '../config/app-config';
import { createLogger } from '../log/logger';
import { PROFILE_ENVIRONMENTS, type ProfileEnvironment } from '../../../shared/profiles/environments';
import type { ProfileRow, ProfilesRepo } from '../storage/profiles-repo';
import type { SettingsRepo } from '../storage/settings-repo';

const log = createLogger('profiles');
const ACTIVE_KEY = 'profiles.active';
export const DEFAULT_PROFILE_ID = 'default';
const MOUNT_RE = /^[A-Za-z0-9_-][A-Za-z0-9_./-]{0,127}$/;
const NAMESPACE_RE = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*\/?$/;

export interface ProfileInput {
  id?: string;
  name: string;
  address: string;
  /** undefined keeps the stored CA (when editing); null removes it. */
  caCertPem?: string | null;
  minTls: 'TLSv1.2' | 'TLSv1.3';
  namespace?: string | null;
  kvMount: string;
  /** Absent: production for a new profile (the cautious colour); kept when editing. */
  environment?: ProfileEnvironment;
}

export interface ProfileView {
  id: string;
  name: string;
  address: string;
  minTls: 'TLSv1.2' | 'TLSv1.3';
  namespace: string | null;
  kvMount: string;
  environment: ProfileEnvironment;
  caCert: { subject: string; validTo: string } | null;
  /** Visible warnings: plain http, TLS 1.2 allowed. */
  warnings: string[];
}

export function profileWarnings(p: Pick<ProfileRow, 'address' | 'minTls'>): string[] {
  const w: string[] = [];
  if (p.address.startsWith('http:')) w.push('Plain http: traffic to Vault is not encrypted. Use only on this machine (loopback).');
  else if (p.minTls === 'TLSv1.2') w.push('TLS 1.2 allowed: the policy asks for TLS 1.3 for API traffic.');
  return w;
}

export function toConnection(p: ProfileRow, timeoutMs = 10_000): VaultConnection {
  return {
    address: p.address,
    caCert: p.caCertPem ?? undefined,
    minTlsVersion: p.minTls,
    namespace: p.namespace ?? undefined,
    kvMount: p.kvMount,
    timeoutMs,
  };
}

function validateCa(pem: string): X509Certificate {
  if (pem.length > 64 * 1024) throw new AppError('BAD_INPUT', 'CA certificate: larger than 64 KB.');
  if (/PRIVATE KEY-----/.test(pem)) throw new AppError('BAD_INPUT', 'CA certificate: that file holds a private key; give the CA certificate only.');
  try {
    const cert = new X509Certificate(pem);
    if (!cert.ca) throw new AppError('BAD_INPUT', 'CA certificate: the certificate is not a CA (basicConstraints CA:FALSE).');
    return cert;
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('BAD_INPUT', 'CA certificate: not a PEM-encoded X.509 certificate.');
  }
}

export class ProfilesService {
  constructor(
    private readonly repo: ProfilesRepo,
    private readonly settings: SettingsRepo,
    private readonly now: () => Date,
  ) {}

  /** First start: make a profile from the environment (VAULT_ADDR, ...) so there is always one, and choose it. */
  ensureDefault(fromEnv: VaultConnection): ProfileRow {
    if (this.repo.list().length === 0) {
      const t = this.now().toISOString();
      this.repo.upsert({
        id: DEFAULT_PROFILE_ID,
        name: 'Default',
        address: fromEnv.address,
        caCertPem: fromEnv.caCert ?? null,
        minTls: fromEnv.minTlsVersion,
        namespace: fromEnv.namespace ?? null,
        kvMount: fromEnv.kvMount,
        // A Vault on this machine is a development one; anything else is treated as production.
        environment: isLoopback(fromEnv.address) ? 'development' : 'production',
        createdAt: t,
        updatedAt: t,
      });
      this.settings.set(ACTIVE_KEY, DEFAULT_PROFILE_ID);
      log.info(`created profile ${DEFAULT_PROFILE_ID} from the environment and made it active`);
    }
    return this.active();
  }

  /** The stored choice. Only if it is missing (a damaged database) is one made, stored and logged. */
  active(): ProfileRow {
    const id = this.settings.get(ACTIVE_KEY);
    const chosen = id ? this.repo.get(id) : undefined;
    if (chosen) return chosen;
    const fallback = this.repo.get(DEFAULT_PROFILE_ID) ?? [...this.repo.list()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))[0];
    if (!fallback) throw new AppError('NOT_FOUND', 'No connection profile exists.');
    this.settings.set(ACTIVE_KEY, fallback.id);
    log.warn(`no stored active profile; chose ${fallback.id} and stored the choice`);
    return fallback;
  }

  get(id: string): ProfileRow | undefined {
    return this.repo.get(id);
  }

  list(): { profiles: ProfileView[]; activeId: string } {
    return { profiles: this.repo.list().map(view), activeId: this.active().id };
  }

  save(input: ProfileInput): ProfileView {
    return this.store(this.prepare(input));
  }

  /** Stores a row from prepare(). Saving never changes which profile is active. */
  store(row: ProfileRow): ProfileView {
    this.repo.upsert(row);
    log.info(`saved profile ${row.id}`);
    return view(row);
  }

  /** Validates `input` into the row save() would store, without storing it. */
  prepare(input: ProfileInput): ProfileRow {
    const name = input.name.trim();
    if (name.length < 1 || name.length > 64) throw new AppError('BAD_INPUT', 'Name: 1 to 64 characters.');
    const address = parseAddress(input.address);
    const kvMount = input.kvMount.trim().replace(/\/+$/, '');
    if (!MOUNT_RE.test(kvMount) || kvMount.includes('..')) throw new AppError('BAD_INPUT', 'KV mount: letters, digits, _ - . / only.');
    const namespace = input.namespace?.trim() || null;
    if (namespace && !NAMESPACE_RE.test(namespace)) throw new AppError('BAD_INPUT', 'Namespace: path segments of letters, digits, _ and -.');
    const existing = input.id ? this.repo.get(input.id) : undefined;
    if (input.id && !existing) throw new AppError('NOT_FOUND', 'That profile no longer exists.');
    const caCertPem =
      input.caCertPem === undefined ? (existing?.caCertPem ?? null) : input.caCertPem?.trim() ? input.caCertPem.trim() : null;
    if (caCertPem) validateCa(caCertPem);
    if (caCertPem && address.startsWith('http:')) throw new AppError('BAD_INPUT', 'A CA certificate needs an https address.');

    const environment = input.environment ?? existing?.environment ?? 'production';
    if (!(PROFILE_ENVIRONMENTS as readonly string[]).includes(environment)) throw new AppError('BAD_INPUT', `Environment: one of ${PROFILE_ENVIRONMENTS.join(', ')}.`);

    const clash = this.repo.findByName(name);
    if (clash && clash.id !== input.id) throw new AppError('CONFLICT', `A profile named "${name}" already exists.`);
    const t = this.now().toISOString();
    const row: ProfileRow = {
      id: existing?.id ?? `p-${randomBytes(6).toString('hex')}`,
      name,
      address,
      caCertPem,
      minTls: input.minTls,
      namespace,
      kvMount,
      environment,
      createdAt: existing?.createdAt ?? t,
      updatedAt: t,
    };
    return row;
  }

  /** Whether saving `input` over `existing` changes where or how the console trusts Vault. */
  trustChanges(existing: ProfileRow, input: ProfileInput): string[] {
    const changed: string[] = [];
    if (parseAddress(input.address) !== existing.address) changed.push('address');
    if (input.caCertPem !== undefined && (input.caCertPem?.trim() || null) !== existing.caCertPem) changed.push('CA certificate');
    if (input.minTls !== existing.minTls) changed.push('minimum TLS version');
    if ((input.namespace?.trim() || null) !== existing.namespace) changed.push('namespace');
    return changed;
  }

  /** Refuses to delete the active profile; returns the deleted row for cleanup (keychain). */
  delete(id: string): ProfileRow {
    const row = this.repo.get(id);
    if (!row) throw new AppError('NOT_FOUND', 'That profile no longer exists.');
    if (this.active().id === id) throw new AppError('CONFLICT', 'Switch to another profile before deleting the active one.');
    this.repo.delete(id);
    log.info(`deleted profile ${id}`);
    return row;
  }

  setActive(id: string): ProfileRow {
    const row = this.repo.get(id);
    if (!row) throw new AppError('NOT_FOUND', 'That profile no longer exists.');
    this.settings.set(ACTIVE_KEY, id);
    return row;
  }
}

export function view(p: ProfileRow): ProfileView {
  let caCert: ProfileView['caCert'] = null;
  if (p.caCertPem) {
    try {
      const c = new X509Certificate(p.caCertPem);
      caCert = { subject: c.subject.replace(/\n/g, ', '), validTo: new Date(c.validTo).toISOString() };
    } catch {
      caCert = { subject: '(unreadable certificate)', validTo: '' };
    }
  }
  return {
    id: p.id,
    name: p.name,
    address: p.address,
    minTls: p.minTls,
    namespace: p.namespace,
    kvMount: p.kvMount,
    environment: p.environment,
    caCert,
    warnings: profileWarnings(p),
  };
}

function isLoopback(address: string): boolean {
  try {
    const host = new URL(address).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}
