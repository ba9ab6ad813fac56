import { describe, expect, it } from 'vitest';
import { allDenied, capabilityPaths, decide } from '../../../src/shared/capabilities';

describe('capability decisions', () => {
  const paths = capabilityPaths('tenants');
  const grant = (caps: string[]) => Object.fromEntries(paths.map((p) => [p, caps]));

  it('allows everything for a root token', () => {
    const d = decide('tenants', grant(['root']), ['root']);
    expect(Object.values(d).every((p) => p.allowed)).toBe(true);
  });

  it('an auditor (metadata read/list, data denied) may list but not reveal or rotate, with a reason', () => {
    const granted = grant([]);
    granted['tenants/metadata/'] = ['list'];
    granted['tenants/metadata/__probe_tenant__/smtp/admin'] = ['read', 'list'];
    granted['tenants/data/__probe_tenant__/smtp/admin'] = ['deny'];
    const d = decide('tenants', granted, ['default', 'vault-console-auditor']);
    expect(d['tenants.list'].allowed).toBe(true);
    expect(d['tenants.read-metadata'].allowed).toBe(true);
    expect(d['secrets.read']).toEqual({ allowed: false, reason: 'Your policies (vault-console-auditor) do not grant read on tenants/data/<tenant>/smtp/admin.' });
    expect(d['secrets.rotate'].allowed).toBe(false);
    expect(d['vault.seal'].reason).toBe('Your policies (vault-console-auditor) do not grant update + sudo on sys/seal.');
  });

  it('names the tenant placeholder, not the probe, in reasons', () => {
    const d = decide('tenants', grant(['read']), ['ops']);
    expect(d['apikeys.revoke'].reason).toBe('Your policies (ops) do not grant update on tenants/metadata/<tenant>/api/ak_probe.');
  });

  it('signed out denies everything with one reason', () => {
    expect(allDenied('Sign in to Vault first.')['vault.seal']).toEqual({ allowed: false, reason: 'Sign in to Vault first.' });
  });
});
