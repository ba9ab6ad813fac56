// Attack: roll Vault back. Restoring an older raft snapshot (`POST sys/storage/raft/snapshot`
// or `snapshot-force`) silently deletes every secret written since, undoes every rotation
// and puts back whatever audited headers and mount tuning the snapshot had: not one KV
// delete is logged. It must be a red sys-critical alert. Its own OpenBao (a restore would
// roll back the shared test server under the other tests).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenBao, type OpenBaoInstance } from '../../../services/openbao/openbao';
import { freshTenant, importOffline } from './live-audit';

let bao: OpenBaoInstance;
beforeAll(async () => {
  bao = await startOpenBao();
}, 180_000);
afterAll(async () => {
  await bao?.stop({ removeData: true });
});

async function call(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${bao.addr}/v1/${path}`, {
    method,
    headers: { 'X-Vault-Token': bao.rootToken, ...(body instanceof Uint8Array ? { 'Content-Type': 'application/octet-stream' } : body ? { 'Content-Type': 'application/json' } : {}) },
    ...(body instanceof Uint8Array ? { body } : body ? { body: JSON.stringify(body) } : {}),
  });
}

describe('restoring an older raft snapshot', () => {
  it('is a red sys-critical alert: every secret written since is gone', async () => {
    const m = bao.kvMount;
    const older = `${freshTenant()}/ssh/admin`;
    const newer = `${freshTenant()}/ssh/admin`;
    expect((await call('POST', `${m}/data/${older}`, { data: { value: 'x' } })).status).toBe(200);
    const snap = await call('GET', 'sys/storage/raft/snapshot');
    expect(snap.status).toBe(200);
    const bytes = new Uint8Array(await snap.arrayBuffer());
    expect((await call('POST', `${m}/data/${newer}`, { data: { value: 'y' } })).status).toBe(200);

    // The attack: the snapshot taken before `newer` was written goes back in.
    expect((await call('POST', 'sys/storage/raft/snapshot', bytes)).status).toBe(204);
    let gone = false;
    for (let i = 0; i < 100 && !gone; i++) {
      gone = (await call('GET', `${m}/data/${newer}`).catch(() => null))?.status === 404;
      if (!gone) await new Promise((r) => setTimeout(r, 100));
    }
    expect(gone).toBe(true);

    const audit = await importOffline([bao.auditLogPath], m);
    const alert = (await audit.alerts({})).alerts.find((a) => a.kind === 'sys-critical' && a.title.includes('sys/storage/raft/snapshot'));
    expect(alert, 'snapshot restore alert').toBeDefined();
    expect(alert!.severity).toBe('red');
    // Taking a snapshot (the console's own backup) is not critical.
    expect((await audit.alerts({})).alerts.filter((a) => a.kind === 'sys-critical' && a.title.startsWith('read on sys/storage/raft/snapshot'))).toEqual([]);
  });
});
