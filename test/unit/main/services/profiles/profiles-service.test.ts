import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectionFromEnv } from '../../../../../src/main/services/config/app-config';
import { setLogSink } from '../../../../../src/main/services/log/logger';
import { ProfilesService } from '../../../../../src/main/services/profiles/profiles-service';
import { openDatabase } from '../../../../../src/main/services/storage/database';
import { ProfilesRepo } from '../../../../../src/main/services/storage/profiles-repo';
import { SettingsRepo } from '../../../../../src/main/services/storage/settings-repo';

// Real certificates from openssl: a CA, a leaf (not a CA) and a private key.
let caPem = '';
let leafPem = '';
let keyPem = '';
beforeAll(() => {
  setLogSink(() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'vc-certs-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Test Vault CA', '-addext', 'basicConstraints=critical,CA:TRUE');
  run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.pem', '-days', '2', '-subj', '/CN=vault.local', '-addext', 'basicConstraints=critical,CA:FALSE');
  caPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
  leafPem = readFileSync(join(dir, 'leaf.pem'), 'utf8');
  keyPem = readFileSync(join(dir, 'leaf.key'), 'utf8');
});

let service: ProfilesService;
beforeEach(() => {
  const db = openDatabase(':memory:');
  const now = () => new Date('2026-11-28T12:00:00Z');
  service = new ProfilesService(new ProfilesRepo(db), new SettingsRepo(db, now), now);
  service.ensureDefault(connectionFromEnv({ VAULT_ADDR: 'http://127.0.0.1:8200' }));
});

const base = { name: 'Prod EU', address: 'https://vault.eu.example:8200', minTls: 'TLSv1.3' as const, kvMount: 'tenants' };

describe('connection profiles', () => {
  it('creates a default profile from the environment on first start, with a plain-http warning', () => {
    const { profiles, activeId } = service.list();
    expect(activeId).toBe('default');
    expect(profiles).toHaveLength(1);
    expect(profiles[0]!.warnings[0]).toMatch(/not encrypted/);
  });

  it('saves a profile with a CA certificate and shows its subject, never asking for secrets', () => {
    const saved = service.save({ ...base, caCertPem: caPem });
    expect(saved.caCert?.subject).toBe('CN=Test Vault CA');
    expect(saved.warnings).toEqual([]);
    // Editing without a new CA keeps the stored one.
    const edited = service.save({ ...base, id: saved.id, name: 'Prod EU 2' });
    expect(edited.caCert?.subject).toBe('CN=Test Vault CA');
    // null removes it.
    expect(service.save({ ...base, id: saved.id, name: 'Prod EU 2', caCertPem: null }).caCert).toBeNull();
  });

  it('TLS 1.2 is allowed with a visible warning', () => {
    expect(service.save({ ...base, minTls: 'TLSv1.2' }).warnings).toEqual(['TLS 1.2 allowed: the policy asks for TLS 1.3 for API traffic.']);
  });

  it.each([
    [{ address: 'ftp://vault' }, /http or https/],
    [{ address: 'https://user:pw@vault' }, /credentials/],
    [{ name: '' }, /Name/],
    [{ kvMount: '../sys' }, /KV mount/],
    [{ namespace: 'a//b' }, /Namespace/],
    [{ caCertPem: 'not a certificate' }, /not a PEM-encoded X.509/],
  ])('refuses bad input %o with a clear message and saves nothing', (patch, message) => {
    expect(() => service.save({ ...base, ...patch })).toThrowError(message);
    expect(service.list().profiles).toHaveLength(1);
  });

  it('refuses a private key or a non-CA certificate as the CA', () => {
    expect(() => service.save({ ...base, caCertPem: keyPem })).toThrowError(/private key/);
    expect(() => service.save({ ...base, caCertPem: leafPem })).toThrowError(/not a CA/);
  });

  it('refuses a CA with a plain http address', () => {
    expect(() => service.save({ ...base, address: 'http://127.0.0.1:8200', caCertPem: caPem })).toThrowError(/https/);
  });

  it('refuses a duplicate name (any case) and deleting the active profile', () => {
    service.save(base);
    expect(() => service.save({ ...base, name: 'prod eu' })).toThrowError(expect.objectContaining({ code: 'CONFLICT' }));
    expect(() => service.delete('default')).toThrowError(/Switch to another profile/);
  });

  it('switches the active profile and deletes inactive ones', () => {
    const p = service.save(base);
    service.setActive(p.id);
    expect(service.active().id).toBe(p.id);
    service.delete('default');
    expect(service.list().profiles.map((x) => x.name)).toEqual(['Prod EU']);
  });

  it('a saved or edited profile never becomes active, whatever its name sorts like', () => {
    for (const name of ['bad-host', 'AAA first', '0 zero']) service.save({ ...base, name, address: 'https://127.0.0.1:1' });
    expect(service.active().id).toBe('default');
    expect(service.list().activeId).toBe('default');
    const p = service.list().profiles.find((x) => x.name === 'bad-host')!;
    service.save({ ...base, id: p.id, name: 'bad-host', address: 'https://127.0.0.1:2', environment: 'staging' });
    expect(service.active().id).toBe('default');
  });

  it('each profile names its environment: production unless chosen; the default one on loopback is development', () => {
    expect(service.list().profiles[0]).toMatchObject({ id: 'default', environment: 'development' });
    expect(service.save(base).environment).toBe('production');
    const staging = service.save({ ...base, name: 'Staging', environment: 'staging' });
    // Editing without naming it keeps it.
    expect(service.save({ ...base, id: staging.id, name: 'Staging' }).environment).toBe('staging');
    expect(() => service.save({ ...base, name: 'X', environment: 'prod' as never })).toThrowError(/Environment/);
  });

  it('names the trust settings an edit changes (address, CA, minimum TLS, namespace), not the others', () => {
    const p = service.save(base);
    const row = service.get(p.id)!;
    expect(service.trustChanges(row, { ...base, name: 'Renamed', kvMount: 'other', environment: 'staging' })).toEqual([]);
    expect(service.trustChanges(row, { ...base, address: 'https://vault.eu.example:8201' })).toEqual(['address']);
    expect(service.trustChanges(row, { ...base, caCertPem: caPem, minTls: 'TLSv1.2', namespace: 'team-a' })).toEqual(['CA certificate', 'minimum TLS version', 'namespace']);
    // Spelling the same address differently is no change.
    expect(service.trustChanges(row, { ...base, address: 'HTTPS://VAULT.EU.EXAMPLE:8200/' })).toEqual([]);
  });
});
