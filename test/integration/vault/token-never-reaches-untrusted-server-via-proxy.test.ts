// Security regression (issue 13, item 4): with HTTPS_PROXY set, rotation's KV path used to
// fall back to node-vault without the profile's agent, and node-vault honoured
// VAULT_SKIP_VERIFY (any value, even "0"): the session token and a write reached a
// self-signed TLS 1.2 server. Now every Vault request (the generic client, node-vault's
// API, rotation's lean KV path, the snapshot stream) goes through the profile's transport:
// through a proxy only as a CONNECT tunnel with the profile's CA and minimum TLS version
// inside it, and VAULT_SKIP_VERIFY is never honoured. The proxy is a real one on loopback
// (the test's instrument), the "bad server" a real self-signed TLS 1.2 server that records
// whatever reaches it, and the good server a real OpenBao TLS listener.
import dc from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { streamTarget, vaultGetStream } from '../../../src/main/services/backup/vault-stream';
import type { VaultConnection } from '../../../src/main/services/config/app-config';
import { kvRequest } from '../../../src/main/services/rotation/kv-http';
import { RotationVaultIo } from '../../../src/main/services/rotation/vault-io';
import { createVaultClient, type VaultClient } from '../../../src/main/services/vault/vault-client';
import { startTlsOpenBao, type TlsOpenBao } from '../../services/openbao/tls';
import { startConnectProxy, type ConnectProxy } from '../../services/proxy/connect-proxy';
import { startUntrustedServer, type UntrustedServer } from '../../services/proxy/untrusted-server';

const TOKEN = 'hvs.SENTINEL-token-that-must-never-leave-0123456789';
const ENV_KEYS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'VAULT_SKIP_VERIFY'] as const;

let proxy: ConnectProxy;
let bad: UntrustedServer;
let bao: TlsOpenBao;
const saved: Partial<Record<(typeof ENV_KEYS)[number], string>> = {};

const conn = (address: string, caCert: string | undefined, minTlsVersion: VaultConnection['minTlsVersion']): VaultConnection => ({
  address,
  caCert,
  minTlsVersion,
  kvMount: 'tenants',
  timeoutMs: 5_000,
});

/** Every road a request can take to Vault, each expected to be refused. */
async function everyPath(client: VaultClient): Promise<Array<{ path: string; outcome: unknown }>> {
  const io = new RotationVaultIo(client, 'tenants');
  const attempts: Array<[string, () => Promise<unknown>]> = [
    ['kv-http GET', () => kvRequest(client, 'GET', 'tenants/data/t-000001/smtp/admin')],
    ['kv-http POST (CAS write)', () => io.writeCas('t-000001/smtp/admin', { password: 'new-password-value' }, 1)],
    ['kv-http LIST', () => kvRequest(client, 'LIST', 'tenants/metadata/')],
    ['VaultClient.request', () => client.request('GET', 'auth/token/lookup-self')],
    ['node-vault API', () => client.raw.read('tenants/data/t-000001/smtp/admin')],
    ['snapshot stream', () => vaultGetStream(streamTarget(client), 'sys/storage/raft/snapshot')],
  ];
  const out: Array<{ path: string; outcome: unknown }> = [];
  for (const [path, fn] of attempts) {
    try {
      await fn();
      out.push({ path, outcome: 'answered' });
    } catch (err) {
      out.push({ path, outcome: (err as { code?: string }).code ?? (err as Error).message });
    }
  }
  return out;
}

/** TLS protocol of every response received while fn runs. */
async function negotiated(fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const onResponse = (msg: unknown) => {
    const sock = (msg as { response: IncomingMessage }).response.socket as TLSSocket | null;
    if (sock && typeof sock.getProtocol === 'function') seen.push(String(sock.getProtocol()));
  };
  dc.subscribe('http.client.response.finish', onResponse);
  try {
    await fn();
  } finally {
    dc.unsubscribe('http.client.response.finish', onResponse);
  }
  return seen;
}

beforeAll(async () => {
  [proxy, bad, bao] = await Promise.all([startConnectProxy(), startUntrustedServer(), startTlsOpenBao()]);
});

afterAll(async () => {
  await Promise.allSettled([proxy?.close(), bad?.close(), bao?.stop()]);
});

beforeEach(() => {
  for (const k of ENV_KEYS) {
    saved[k] = process.env[k];
    delete process.env[k];
  }
});

afterEach(() => {
  for (const k of ENV_KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe('behind an HTTPS proxy, no token reaches a server the profile does not trust', () => {
  for (const skip of ['0', '1', 'true']) {
    it(`VAULT_SKIP_VERIFY=${skip}: every request path is refused at TLS, the bad server sees no request and no token`, async () => {
      process.env.HTTPS_PROXY = proxy.url;
      process.env.VAULT_SKIP_VERIFY = skip;
      const host = new URL(bad.address).host;
      // Default minimum (TLS 1.3) and the lenient one (1.2), with the system trust store and with another CA.
      for (const [ca, minTls] of [
        [undefined, 'TLSv1.3'],
        [undefined, 'TLSv1.2'],
        [bao.ca.caCertPem, 'TLSv1.2'],
      ] as const) {
        const before = proxy.log.connects.filter((c) => c === host).length;
        const client = createVaultClient(conn(bad.address, ca, minTls), TOKEN);
        let results;
        try {
          results = await everyPath(client);
        } finally {
          client.close();
        }
        // First what matters: nothing (no token, no write) reached the bad server or the proxy in clear.
        expect(bad.requests).toEqual([]);
        expect(proxy.log.plainRequests).toEqual([]);
        for (const r of results) expect(r, r.path).toEqual({ path: r.path, outcome: 'TLS_ERROR' });
        // The requests did go through the proxy (as tunnels).
        expect(proxy.log.connects.filter((c) => c === host).length).toBeGreaterThan(before);
      }
    });
  }

  it('without a proxy, VAULT_SKIP_VERIFY=true is not honoured either', async () => {
    process.env.VAULT_SKIP_VERIFY = 'true';
    const client = createVaultClient(conn(bad.address, undefined, 'TLSv1.2'), TOKEN);
    let results;
    try {
      results = await everyPath(client);
    } finally {
      client.close();
    }
    expect(bad.requests).toEqual([]);
    for (const r of results) expect(r, r.path).toEqual({ path: r.path, outcome: 'TLS_ERROR' });
  });
});

describe('through the proxy, a trusted Vault works with the profile settings', () => {
  it('the configured CA is accepted and TLS 1.3 negotiated inside the tunnel; the proxy sees only CONNECT', async () => {
    process.env.HTTPS_PROXY = proxy.url;
    const host = new URL(bao.tlsAddr).host;
    const client = createVaultClient(conn(bao.tlsAddr, bao.ca.caCertPem, 'TLSv1.3'), bao.rootToken);
    try {
      const protocols = await negotiated(async () => {
        const mounts = await kvRequest<{ data?: Record<string, unknown> }>(client, 'GET', 'sys/mounts');
        expect(Object.keys(mounts.data ?? {})).toContain('sys/');
        const self = await client.request<{ data: { id: string } }>('GET', 'auth/token/lookup-self');
        expect(self.data.id).toBe(bao.rootToken);
      });
      expect(new Set(protocols)).toEqual(new Set(['TLSv1.3']));
    } finally {
      client.close();
    }
    expect(proxy.log.connects).toContain(host);
    expect(proxy.log.plainRequests).toEqual([]);

    // The same server with a CA the profile does not name: refused inside the tunnel too.
    const wrong = createVaultClient(conn(bao.tlsAddr, bao.ca.otherCaCertPem, 'TLSv1.3'), bao.rootToken);
    try {
      await expect(kvRequest(wrong, 'GET', 'sys/mounts')).rejects.toMatchObject({ code: 'TLS_ERROR' });
    } finally {
      wrong.close();
    }
  });

  it('NO_PROXY keeps a host off the proxy', async () => {
    process.env.HTTPS_PROXY = proxy.url;
    process.env.NO_PROXY = 'example.org, 127.0.0.1';
    const host = new URL(bao.tlsAddr).host;
    const before = proxy.log.connects.filter((c) => c === host).length;
    const client = createVaultClient(conn(bao.tlsAddr, bao.ca.caCertPem, 'TLSv1.3'), bao.rootToken);
    try {
      await client.request('GET', 'sys/seal-status');
      expect(client.transport.proxy).toBeNull();
    } finally {
      client.close();
    }
    expect(proxy.log.connects.filter((c) => c === host).length).toBe(before);
  });
});
