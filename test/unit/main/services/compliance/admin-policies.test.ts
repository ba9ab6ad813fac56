// Which ACL policies make an identity an admin in the SOC 2 report: Vault's path globbing,
// deny blocks, templated paths, and the console's own policies.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminReason, patternCovers } from '../../../../../src/main/services/compliance/admin-identities';

const policy = (name: string) => readFileSync(join(__dirname, '../../../../services/openbao/policies', `${name}.hcl`), 'utf8').replaceAll('__KV_MOUNT__', 'tenants');

describe('admin policies', () => {
  it('matches Vault path patterns: a trailing *, + per segment, exact paths', () => {
    expect(patternCovers('tenants/data/*', 'tenants/data/t-1/smtp/admin')).toBe(true);
    expect(patternCovers('tenants/data/t-*', 'tenants/data/t-1/smtp/admin')).toBe(true);
    expect(patternCovers('tenants/data/+/smtp/admin', 'tenants/data/t-1/smtp/admin')).toBe(true);
    expect(patternCovers('tenants/data/+/ssh/*', 'tenants/data/t-1/smtp/admin')).toBe(false);
    expect(patternCovers('tenants/data', 'tenants/data/t-1/smtp/admin')).toBe(false);
    expect(patternCovers('*', 'tenants/data/t-1/smtp/admin')).toBe(true);
    expect(patternCovers('tenants/data/{{identity.entity.metadata.tenant_id}}/*', 'tenants/data/t-1/smtp/admin')).toBe(false);
  });

  it('the console admin policy is admin, the auditor (data denied) and the tenant (templated) are not', () => {
    expect(adminReason('vault-console-admin', policy('vault-console-admin'), 'tenants')).toBe('create, read, update, patch, delete on tenants/data/*');
    expect(adminReason('vault-console-auditor', policy('vault-console-auditor'), 'tenants')).toBeNull();
    expect(adminReason('vault-console-tenant', policy('vault-console-tenant'), 'tenants')).toBeNull();
    expect(adminReason('root', '', 'tenants')).toBe('root policy');
  });

  it('policy management counts; a commented-out grant and a deny do not', () => {
    expect(adminReason('p', 'path "sys/policies/acl/*" { capabilities = ["update"] }', 'tenants')).toBe('update on sys/policies/acl/*');
    expect(adminReason('p', '# path "tenants/data/*" { capabilities = ["read"] }\npath "sys/health" { capabilities = ["read", "sudo"] }', 'tenants')).toBeNull();
    expect(adminReason('p', 'path "tenants/*" { capabilities = ["deny"] }', 'tenants')).toBeNull();
    expect(adminReason('p', 'path "tenants/metadata/*" { capabilities = ["read", "list"] }', 'tenants')).toBeNull();
    expect(adminReason('p', 'path "tenants/metadata/*" { capabilities = ["delete"] }', 'tenants')).toBe('delete on tenants/metadata/*');
  });
});
