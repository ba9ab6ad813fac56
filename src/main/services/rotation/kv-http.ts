// A lean path for the few KV v2 calls a rotation makes, next to VaultClient.request.
// Why: in a bulk job Node and Vault share the same cores; this path skips the generic
// client's layers (node-vault's request shaping) and costs one plain node:http request.
// Same road and security posture as every other Vault call: the client's transport
// (vault/vault-transport.ts: the profile's CA bundle and minimum TLS version,
// certificates always verified, a proxy only as a CONNECT tunnel), the session's token
// (read per request, so a renewal or a new sign-in is picked up), the namespace header,
// the per-request timeout. There is no fallback to another HTTP stack. Errors go through
// mapVaultError like every other Vault call; messages name the path, never a value.
import { mapVaultError, VaultHttpError, type VaultClient } from '../vault/vault-client';
import { sendVaultRequest } from '../vault/vault-transport';

export type KvMethod = 'GET' | 'POST' | 'PATCH' | 'LIST';

/**
 * One request to `/v1/<path>` (path already encoded). LIST becomes GET ?list=true.
 * PATCH bodies are JSON merge patches. Resolves to the parsed JSON body (null for 204).
 */
export async function kvRequest<T>(client: VaultClient, method: KvMethod, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const clean = path.replace(/^\/+/, '');
  const action = `${method} ${clean.split('?')[0]}`;
  const token = client.token();
  const namespace = client.connection.namespace;
  try {
    const res = await sendVaultRequest(client.transport, {
      method: method === 'LIST' ? 'GET' : method,
      url: new URL(`v1/${clean}${method === 'LIST' ? (clean.includes('?') ? '&list=true' : '?list=true') : ''}`, `${client.connection.address}/`),
      headers: {
        ...(token ? { 'X-Vault-Token': token } : {}),
        ...(namespace ? { 'X-Vault-Namespace': namespace } : {}),
        ...(method === 'PATCH' ? { 'Content-Type': 'application/merge-patch+json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { json: body } : {}),
      timeoutMs: client.connection.timeoutMs,
    });
    if (res.statusCode >= 200 && res.statusCode < 300) return (res.body === '' ? null : res.body) as T;
    throw new VaultHttpError(res.statusCode, res.body);
  } catch (err) {
    throw mapVaultError(err, action);
  }
}
