import { describe, expect, it } from 'vitest';
import { mapVaultError } from '../../../../../src/main/services/vault/vault-client';

const apiError = (statusCode: number, errors: string[]) => Object.assign(new Error(errors[0]), { response: { statusCode, body: { errors } } });

describe('mapVaultError', () => {
  it.each([
    [apiError(503, ['Vault is sealed']), 'VAULT_SEALED'],
    [apiError(403, ['permission denied']), 'PERMISSION_DENIED'],
    [apiError(400, ['check-and-set parameter did not match the current version']), 'CONFLICT'],
    [apiError(404, []), 'NOT_FOUND'],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'VAULT_UNREACHABLE'],
    [Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }), 'TLS_ERROR'],
  ])('maps %#', (err, code) => {
    expect(mapVaultError(err, 'GET sys/health').code).toBe(code);
  });
  it('keeps one line of detail and nothing from the request', () => {
    const e = mapVaultError(apiError(500, ['internal error\nstack line']), 'PUT tenants/data/t-1');
    expect(e.message).toBe('Vault answered 500 (PUT tenants/data/t-1): internal error');
  });
});
