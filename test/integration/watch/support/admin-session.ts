// A signed-in admin for tests that drive the console's own services (break-glass):
// a real userpass login against the test OpenBao and a Session over its token.
import type { Session, SessionInfo } from '../../../../src/main/services/session/session-types';
import { connectionFromEnv } from '../../../../src/main/services/config/app-config';
import { createVaultClient, type VaultClient } from '../../../../src/main/services/vault/vault-client';
import { baoRequest } from '../../../services/openbao/openbao-api';

export async function adminSession(addr: string, user: { username: string; password: string }): Promise<{ session: Session; anon: VaultClient; close(): void }> {
  const r = await baoRequest<{ auth: { client_token: string } }>(addr, 'POST', `auth/userpass/login/${user.username}`, { body: { password: user.password } });
  const conn = connectionFromEnv({ VAULT_ADDR: addr });
  const client = createVaultClient(conn, r.auth.client_token);
  client.setToken(r.auth.client_token);
  const anon = createVaultClient(conn);
  anon.setToken(undefined);
  const info: SessionInfo = {
    signedIn: true,
    profileId: 'test',
    address: addr,
    method: 'userpass',
    displayName: `userpass-${user.username}`,
    username: user.username,
    entityId: null,
    policies: [],
    expiresAt: null,
    renewable: false,
    expiringSoon: false,
    problem: null,
  };
  const session: Session = { info: () => info, requireClient: () => client, onChange: () => () => undefined };
  return { session, anon, close: () => (client.close(), anon.close()) };
}
