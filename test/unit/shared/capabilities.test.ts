import { describe, expect, it } from 'vitest';
import { decide, deniedReason, GATE_ACTIONS, GateInputError, needsOf, pathsOf, type GateCheck, type GateContext } from '../../../src/shared/capabilities';

const ctx: GateContext = { kvMount: 'tenants', transit: { mount: 'transit', key: 'vault-console-backup' }, storage: 'raft' };

describe('each action names the exact paths it touches', () => {
  it('SSH "Download key" needs the tenant key itself, not the SMTP credentials', () => {
    expect(needsOf({ action: 'ssh.download', tenantId: 't-000042' }, ctx)).toEqual([
      { path: 'tenants/data/t-000042/ssh/tenant', caps: ['read'] },
      { path: 'tenants/metadata/t-000042/ssh/tenant', caps: ['read', 'update'] },
    ]);
  });

  it('DKIM "Rotate Now" needs that domain\'s key', () => {
    expect(needsOf({ action: 'secrets.rotate', tenantId: 't-000042', target: 'dkim:mail.example.org' }, ctx)).toEqual([
      { path: 'tenants/data/t-000042/dkim/mail.example.org', caps: ['read', 'update'] },
      { path: 'tenants/metadata/t-000042/dkim/mail.example.org', caps: ['patch'] },
    ]);
  });

  it('an SSH emergency reset needs both SSH keys', () => {
    expect(pathsOf(needsOf({ action: 'secrets.emergency-reset', tenantId: 't-000042', which: 'ssh' }, ctx))).toEqual([
      'tenants/data/t-000042/ssh/admin',
      'tenants/metadata/t-000042/ssh/admin',
      'tenants/data/t-000042/ssh/tenant',
      'tenants/metadata/t-000042/ssh/tenant',
    ]);
  });

  it('saving schedules needs create for a new entry and update for an existing one', () => {
    expect(needsOf({ action: 'schedules.save', exists: false }, ctx)).toEqual([{ path: 'tenants/data/_rotation-schedules', caps: ['read', 'create'] }]);
    expect(needsOf({ action: 'schedules.save', exists: true }, ctx)).toEqual([{ path: 'tenants/data/_rotation-schedules', caps: ['read', 'update'] }]);
  });

  it('a backup on raft needs the snapshot and the transit key; on other storage, the listing', () => {
    expect(pathsOf(needsOf({ action: 'backup.run', kind: 'auto' }, ctx))).toEqual(['transit/encrypt/vault-console-backup', 'sys/storage/raft/snapshot']);
    expect(pathsOf(needsOf({ action: 'backup.run', kind: 'auto' }, { ...ctx, storage: 'other' }))).toEqual(['transit/encrypt/vault-console-backup', 'tenants/metadata']);
  });

  it('uses the configured mount names', () => {
    const c = { ...ctx, kvMount: 'mail-secrets' };
    expect(pathsOf(needsOf({ action: 'approvals.approve', id: 'apr-0123456789abcdef' }, c))).toEqual(['mail-secrets-approvals/data/requests/apr-0123456789abcdef']);
    expect(pathsOf(needsOf({ action: 'approvals.delete', id: 'apr-0123456789abcdef', path: 't-000042/dkim/mail.example.org' }, c))).toEqual([
      'mail-secrets-approvals/data/requests/apr-0123456789abcdef',
      'mail-secrets/metadata/t-000042/dkim/mail.example.org',
    ]);
  });

  it('refuses parameters that name nothing in the layout (no path traversal into other mounts)', () => {
    const bad: GateCheck[] = [
      { action: 'secrets.rotate', tenantId: '../sys', target: 'smtp' },
      { action: 'secrets.rotate', tenantId: 't-000042', target: 'dkim:../../x' },
      { action: 'secrets.history', tenantId: 't-000042', path: 't-000043/smtp/admin' },
      { action: 'approvals.delete', id: 'apr-0123456789abcdef', path: 't-000042/../../sys/seal' },
      { action: 'apikeys.revoke', tenantId: 't-000042', keyId: 'x/../../y' },
      { action: 'dkim.check', tenantId: 't-000042', domains: ['ok.example', '../../sys'] },
      { action: 'dkim.retire', tenantId: 't-000042', domain: '../x' },
    ];
    for (const b of bad) expect(() => needsOf(b, ctx), JSON.stringify(b)).toThrow(GateInputError);
  });

  it('every action has needs', () => {
    const samples: Record<(typeof GATE_ACTIONS)[number], GateCheck> = {
      'vault.seal': { action: 'vault.seal' },
      'tenants.sync': { action: 'tenants.sync' },
      'secrets.history': { action: 'secrets.history', tenantId: 't-1', path: 't-1/smtp/admin' },
      'secrets.rotate': { action: 'secrets.rotate', tenantId: 't-1', target: 'smtp' },
      'secrets.emergency-reset': { action: 'secrets.emergency-reset', tenantId: 't-1', which: 'smtp' },
      'secrets.reveal': { action: 'secrets.reveal', tenantId: 't-1' },
      'ssh.download': { action: 'ssh.download', tenantId: 't-1' },
      'dkim.dns': { action: 'dkim.dns', tenantId: 't-1', domain: 'example.org' },
      'dkim.check': { action: 'dkim.check', tenantId: 't-1', domains: ['example.org'] },
      'dkim.retire': { action: 'dkim.retire', tenantId: 't-1', domain: 'example.org' },
      'apikeys.revoke': { action: 'apikeys.revoke', tenantId: 't-1', keyId: 'ak_abcdefgh' },
      'schedules.save': { action: 'schedules.save', exists: true },
      'approvals.request': { action: 'approvals.request' },
      'approvals.approve': { action: 'approvals.approve', id: 'apr-0123456789abcdef' },
      'approvals.delete': { action: 'approvals.delete', id: 'apr-0123456789abcdef', path: 't-1/profile' },
      'backup.run': { action: 'backup.run', kind: 'raft' },
      'backup.restore': { action: 'backup.restore', scope: 'mount' },
      'enrolment.grant': { action: 'enrolment.grant' },
      'audit.devices': { action: 'audit.devices' },
    };
    for (const a of GATE_ACTIONS) expect(needsOf(samples[a], ctx).length, a).toBeGreaterThan(0);
  });
});

describe('decisions and reasons', () => {
  const seal = needsOf({ action: 'vault.seal' }, ctx);
  const download = needsOf({ action: 'ssh.download', tenantId: 't-000042' }, ctx);

  it('a root token may do everything', () => {
    expect(decide(download, { 'tenants/data/t-000042/ssh/tenant': ['root'], 'tenants/metadata/t-000042/ssh/tenant': ['root'] }, ['root']).allowed).toBe(true);
  });

  it('names the first path and every capability missing, and the policies', () => {
    const p = decide(seal, { 'sys/seal': ['deny'] }, ['default', 'vault-console-auditor']);
    expect(p).toEqual({
      allowed: false,
      reason: 'Needs update and sudo on sys/seal; not granted to your policies (vault-console-auditor).',
      missing: { path: 'sys/seal', caps: ['update', 'sudo'] },
    });
  });

  it('an auditor (metadata read, data denied) may not download a tenant key: the reason cites that key', () => {
    const p = decide(download, { 'tenants/data/t-000042/ssh/tenant': ['deny'], 'tenants/metadata/t-000042/ssh/tenant': ['read', 'list'] }, ['default', 'vault-console-auditor']);
    expect(p.reason).toBe('Needs read on tenants/data/t-000042/ssh/tenant; not granted to your policies (vault-console-auditor).');
  });

  it('partial grants: the missing capability only', () => {
    const p = decide(download, { 'tenants/data/t-000042/ssh/tenant': ['read'], 'tenants/metadata/t-000042/ssh/tenant': ['read', 'list'] }, ['ops']);
    expect(p.missing).toEqual({ path: 'tenants/metadata/t-000042/ssh/tenant', caps: ['update'] });
  });

  it('a token with only the default policy says so', () => {
    expect(deniedReason({ path: 'sys/seal', caps: ['update'] }, ['default'])).toBe('Needs update on sys/seal; not granted to your policies (default).');
  });
});
