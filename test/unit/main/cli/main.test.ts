import { describe, expect, it } from 'vitest';
import { main } from '../../../../src/main/cli';

function capture(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, env },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

describe('vault-console main()', () => {
  it('prints help with exit 0', async () => {
    const c = capture();
    expect(await main(['help'], c.io)).toBe(0);
    expect(c.out()).toContain('status');
    expect(c.out()).toContain('seed');
  });

  it('prints help for one command', async () => {
    const c = capture();
    expect(await main(['help', 'seed'], c.io)).toBe(0);
    expect(c.out()).toContain('-tenants=<int>');
  });

  it('exits 1 with usage when no command is given', async () => {
    const c = capture();
    expect(await main([], c.io)).toBe(1);
    expect(c.out()).toContain('Usage: vault-console');
  });

  it('names an unknown command in one stderr line', async () => {
    const c = capture();
    expect(await main(['frobnicate'], c.io)).toBe(1);
    expect(c.err()).toMatch(/^Error: unknown command "frobnicate".*\[BAD_INPUT\]\n$/);
  });

  it('refuses seed without VAULT_TOKEN before any network call', async () => {
    const c = capture({ VAULT_ADDR: 'http://127.0.0.1:9' });
    expect(await main(['seed', '--tenants', '3'], c.io)).toBe(1);
    expect(c.err()).toBe('Error: VAULT_TOKEN is not set [UNAUTHENTICATED]\n');
  });

  it('refuses seed without -tenants', async () => {
    const c = capture({ VAULT_TOKEN: 'x' });
    expect(await main(['seed'], c.io)).toBe(1);
    expect(c.err()).toMatch(/-tenants=N is required/);
  });

  it('refuses VAULT_SKIP_VERIFY (any true value) in one line instead of ignoring it silently; a false value is no request to skip', async () => {
    for (const v of ['1', 'true', 'yes']) {
      const c = capture({ VAULT_ADDR: 'http://127.0.0.1:9', VAULT_SKIP_VERIFY: v });
      expect(await main(['status'], c.io)).toBe(1);
      expect(c.err()).toMatch(/^Error: VAULT_SKIP_VERIFY is not supported: .*VAULT_CACERT.*\[BAD_INPUT\]\n$/);
    }
    const c = capture({ VAULT_ADDR: 'http://127.0.0.1:9', VAULT_SKIP_VERIFY: '0' });
    expect(await main(['status'], c.io)).toBe(1);
    expect(c.err()).toMatch(/unreachable.*\[VAULT_UNREACHABLE\]\n$/);
  });

  it('rejects a non-http VAULT_ADDR in one line', async () => {
    const c = capture({ VAULT_ADDR: 'ftp://vault' });
    expect(await main(['status'], c.io)).toBe(1);
    expect(c.err().trimEnd().split('\n')).toHaveLength(1);
    expect(c.err()).toMatch(/must be http or https/);
  });
});
