import { describe, expect, it } from 'vitest';
import { connectionFromEnv, parseAddress } from '../../../../../src/main/services/config/app-config';

describe('connectionFromEnv', () => {
  it('defaults to TLS 1.3 and the tenants mount', () => {
    const c = connectionFromEnv({ VAULT_ADDR: 'https://vault.example.com:8200/' });
    expect(c).toMatchObject({ address: 'https://vault.example.com:8200', minTlsVersion: 'TLSv1.3', kvMount: 'tenants' });
  });
  it.each(['ftp://x', 'vault.example.com', 'https://user:pw@vault.example.com'])('refuses the address %s', (addr) => {
    expect(() => parseAddress(addr)).toThrowError(expect.objectContaining({ code: 'BAD_INPUT' }));
  });
  it('refuses an unreadable CA file with its path and no contents', () => {
    expect(() => connectionFromEnv({ VAULT_CACERT: '/nonexistent/ca.pem' })).toThrowError(/VAULT_CACERT: cannot read/);
  });
  it('refuses a mount name that escapes its path', () => {
    expect(() => connectionFromEnv({ VAULT_CONSOLE_KV_MOUNT: '../sys' })).toThrowError(/invalid mount/);
  });
});
