// The console's Vault client over TLS against a real OpenBao TLS listener with a CA
// the test generates: an unknown CA is refused, the configured CA is accepted, and
// TLS 1.3 is what gets negotiated (and a TLS 1.2-only server is refused).
import dc from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kvRequest } from '../../../src/main/services/rotation/kv-http';
import { readVaultStatus } from '../../../src/main/services/vault/vault-status';
import { createVaultClient } from '../../../src/main/services/vault/vault-client';
import type { VaultConnection } from '../../../src/main/services/config/app-config';
import { startTlsOpenBao, type TlsOpenBao } from '../../services/openbao/tls';

let bao: TlsOpenBao;
let tls12Only: TlsOpenBao;

const conn = (address: string, caCert: string | undefined, minTlsVersion: VaultConnection['minTlsVersion'] = 'TLSv1.3'): VaultConnection => ({
  address,
  caCert,
  minTlsVersion,
  kvMount: 'tenants',
  timeoutMs: 5_000,
});

/** Records the TLS protocol of the connection behind every response received while fn runs. */
async function negotiated(fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const onResponse = (msg: unknown) => {
    const { response } = msg as { response: IncomingMessage };
    const sock = response.socket as TLSSocket | null;
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
  bao = await startTlsOpenBao();
  tls12Only = await startTlsOpenBao({ maxVersion: 'tls12', ca: bao.ca });
});

afterAll(async () => {
  await Promise.allSettled([bao?.stop(), tls12Only?.stop()]);
});

describe('TLS to Vault', () => {
  it('refuses a server whose certificate is signed by an unknown CA', async () => {
    for (const ca of [undefined, bao.ca.otherCaCertPem]) {
      const client = createVaultClient(conn(bao.tlsAddr, ca));
      try {
        await expect(client.request('GET', 'sys/seal-status')).rejects.toMatchObject({ code: 'TLS_ERROR' });
        // The dashboard shows it as unreachable with the TLS reason, never green.
        const status = await readVaultStatus(client);
        expect(status).toMatchObject({ reachable: false });
        expect(status.error).toMatch(/TLS connection to Vault refused/);
      } finally {
        client.close();
      }
    }
  });

  it('accepts the configured CA and negotiates TLS 1.3', async () => {
    const client = createVaultClient(conn(bao.tlsAddr, bao.ca.caCertPem));
    try {
      const protocols = await negotiated(async () => {
        const status = await readVaultStatus(client);
        expect(status).toMatchObject({ reachable: true, sealed: false });
      });
      expect(protocols.length).toBeGreaterThan(0);
      expect(new Set(protocols)).toEqual(new Set(['TLSv1.3']));
    } finally {
      client.close();
    }
  });

  it('with the default minimum (TLS 1.3), refuses a server that only speaks TLS 1.2; allows it when 1.2 is chosen', async () => {
    const strict = createVaultClient(conn(tls12Only.tlsAddr, bao.ca.caCertPem));
    try {
      await expect(strict.request('GET', 'sys/seal-status')).rejects.toMatchObject({ code: 'TLS_ERROR' });
    } finally {
      strict.close();
    }
    const lenient = createVaultClient(conn(tls12Only.tlsAddr, bao.ca.caCertPem, 'TLSv1.2'));
    try {
      const protocols = await negotiated(() => lenient.request('GET', 'sys/seal-status'));
      expect(protocols).toContain('TLSv1.2');
    } finally {
      lenient.close();
    }
  });
});

describe("TLS on rotation's lean KV path (src/main/services/rotation/kv-http.ts)", () => {
  it('keeps the profile rules: unknown CA refused, configured CA over TLS 1.3, a TLS 1.2-only server refused by default', async () => {
    for (const ca of [undefined, bao.ca.otherCaCertPem]) {
      const client = createVaultClient(conn(bao.tlsAddr, ca), bao.rootToken);
      try {
        await expect(kvRequest(client, 'GET', 'sys/mounts')).rejects.toMatchObject({ code: 'TLS_ERROR' });
      } finally {
        client.close();
      }
    }
    const good = createVaultClient(conn(bao.tlsAddr, bao.ca.caCertPem), bao.rootToken);
    try {
      const protocols = await negotiated(async () => {
        const mounts = await kvRequest<{ data?: Record<string, unknown> }>(good, 'GET', 'sys/mounts');
        expect(Object.keys(mounts.data ?? {})).toContain('sys/');
      });
      expect(new Set(protocols)).toEqual(new Set(['TLSv1.3']));
    } finally {
      good.close();
    }
    const strict = createVaultClient(conn(tls12Only.tlsAddr, bao.ca.caCertPem), tls12Only.rootToken);
    try {
      await expect(kvRequest(strict, 'GET', 'sys/mounts')).rejects.toMatchObject({ code: 'TLS_ERROR' });
    } finally {
      strict.close();
    }
  });
});
