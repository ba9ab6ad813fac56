// Issue 17.2 for bulk jobs, against the real OpenBao: an auditor's "Rotate all SMTP" used
// to start a job that failed item after item with PERMISSION_DENIED. The preview now asks
// Vault (sys/capabilities-self) about the exact paths the job will touch and says what is
// not allowed and why; start asks again before the first write (the policy may have
// changed since the preview), and so does a resumed run. Vault's own audit log proves that
// no write was even attempted where the answer was no.
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionFromEnv } from '../../../src/main/services/config/app-config';
import type { JobSummary } from '../../../src/shared/contracts/rotation';
import { createKvStore, type KvStore } from '../../../src/main/services/vault/kv';
import { createVaultClient, type VaultClient } from '../../../src/main/services/vault/vault-client';
import { baoFetch, loadTestServices, type ServicesState } from '../helpers/services';
import { freshMount, newService, rootClient, seed } from './rotation-helpers';

let s: ServicesState;
let root: VaultClient;
const POLICIES = join(__dirname, '..', '..', 'services', 'openbao', 'policies');

beforeAll(async () => {
  s = await loadTestServices();
  root = rootClient(s);
});
afterAll(() => root?.close());

/** A token with this policy (and Vault's default policy, which allows sys/capabilities-self). */
async function tokenWith(name: string, policy: string): Promise<{ client: VaultClient; token: string }> {
  await root.request('PUT', `sys/policies/acl/${name}`, { policy });
  const tok = await baoFetch<{ auth: { client_token: string } }>(s, 'POST', 'auth/token/create', { body: { policies: [name], ttl: '10m' } });
  const token = tok.body.auth.client_token;
  return { client: createVaultClient(connectionFromEnv({ VAULT_ADDR: s.openbao.addr }), token), token };
}

/** Write attempts (create/update/patch) on the mount's data paths logged since `from`, allowed or not. */
function writeAttemptsSince(from: number, mount: string): string[] {
  const size = statSync(s.openbao.auditLogPath).size;
  const buf = Buffer.alloc(size - from);
  const fd = openSync(s.openbao.auditLogPath, 'r');
  try {
    readSync(fd, buf, 0, buf.length, from);
  } finally {
    closeSync(fd);
  }
  const out: string[] = [];
  for (const line of buf.toString('utf8').split('\n')) {
    if (!line.includes(`"${mount}/data/`)) continue;
    const e = JSON.parse(line) as { type: string; request?: { operation?: string; path?: string } };
    if (e.type === 'request' && ['create', 'update', 'patch'].includes(e.request?.operation ?? '') && e.request?.path?.startsWith(`${mount}/data/`)) out.push(e.request.path);
  }
  return out;
}

async function versions(kv: KvStore, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 1; i <= n; i++) out.push((await kv.readMetadata(`t-${String(i).padStart(6, '0')}/smtp/admin`))!.currentVersion);
  return out;
}

const basePolicy = (mount: string, dataLines: string) => `path "${mount}/metadata" { capabilities = ["list"] }
path "${mount}/metadata/*" { capabilities = ["read", "list", "patch", "update", "create"] }
path "${mount}/detailed-metadata/*" { capabilities = ["list"] }
${dataLines}
path "sys/seal-status" { capabilities = ["read"] }`;

describe('a bulk job asks Vault what it may do before it writes', () => {
  it('the auditor: the preview lists every secret as not allowed with the path and capability, and start is refused with no write attempted', async () => {
    const N = 25;
    const mount = await freshMount(root, 'rot-perm-aud');
    const kv = createKvStore(root, mount);
    await seed(root, mount, N, 'rot-perm-aud');
    // The console's real auditor policy, for this mount.
    const auditor = readFileSync(join(POLICIES, 'vault-console-auditor.hcl'), 'utf8').replaceAll('__KV_MOUNT__', mount);
    const { client } = await tokenWith(`${mount}-auditor`, auditor);
    const from = statSync(s.openbao.auditLogPath).size;
    const { service } = newService(client, mount, { actor: () => 'auditor' });
    const p = await service.preview({ mode: 'all', type: 'smtp' });
    expect(p).toMatchObject({ total: 0, confirmPhrase: 'ROTATE 0', notAllowed: { total: N } });
    expect(p.notAllowed.items[0]).toEqual({ tenantId: 't-000001', path: 't-000001/smtp/admin', reason: `Your policies do not grant read + update on ${mount}/data/t-000001/smtp/admin.` });
    await expect(service.start(p.previewId, p.confirmPhrase, 'quarterly')).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      message: `You may not rotate any of these secrets: Your policies do not grant read + update on ${mount}/data/t-000001/smtp/admin.`,
    });
    expect(service.jobs()).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    expect(writeAttemptsSince(from, mount)).toEqual([]);
    expect(await versions(kv, N)).toEqual(Array(N).fill(1));
    client.close();
  }, 60_000);

  it('a policy that allows some tenants: the job rotates exactly those; the rest are listed with why and never attempted', async () => {
    const mount = await freshMount(root, 'rot-perm-part');
    const kv = createKvStore(root, mount);
    await seed(root, mount, 8, 'rot-perm-part');
    const { client } = await tokenWith(
      `${mount}-part`,
      basePolicy(mount, `path "${mount}/data/*" { capabilities = ["read"] }
path "${mount}/data/t-000002/*" { capabilities = ["read", "create", "update", "patch"] }
path "${mount}/data/t-000005/*" { capabilities = ["read", "create", "update", "patch"] }`),
    );
    const from = statSync(s.openbao.auditLogPath).size;
    const { service } = newService(client, mount);
    const p = await service.preview({ mode: 'all', type: 'smtp' });
    expect(p).toMatchObject({ total: 2, tenants: 2, confirmPhrase: 'ROTATE 2', notAllowed: { total: 6 } });
    expect(p.sample).toEqual(['t-000002/smtp/admin', 't-000005/smtp/admin']);
    expect(p.notAllowed.items.map((d) => d.reason)).toEqual(
      ['t-000001', 't-000003', 't-000004', 't-000006', 't-000007', 't-000008'].map((t) => `Your policies do not grant update on ${mount}/data/${t}/smtp/admin.`),
    );
    const job = await service.start(p.previewId, p.confirmPhrase, 'allowed ones', 2);
    expect(await service.wait(job.id)).toMatchObject({ status: 'completed', total: 2, done: 2, failed: 0 });
    expect(await versions(kv, 8)).toEqual([1, 2, 1, 1, 2, 1, 1, 1]);
    await new Promise((r) => setTimeout(r, 300));
    expect([...new Set(writeAttemptsSince(from, mount))].sort()).toEqual([`${mount}/data/t-000002/smtp/admin`, `${mount}/data/t-000005/smtp/admin`]);
    client.close();
  }, 60_000);

  it('a policy narrowed after the preview: start is refused before any write; a paused job whose policy was narrowed pauses again on resume, before any write', async () => {
    const N = 10;
    const mount = await freshMount(root, 'rot-perm-narrow');
    const kv = createKvStore(root, mount);
    await seed(root, mount, N, 'rot-perm-narrow');
    const full = basePolicy(mount, `path "${mount}/data/*" { capabilities = ["read", "create", "update", "patch"] }`);
    const narrow = basePolicy(mount, `path "${mount}/data/*" { capabilities = ["read"] }`);
    const name = `${mount}-narrow`;
    const { client } = await tokenWith(name, full);

    // Narrowed between the preview and the start.
    const { service } = newService(client, mount);
    const p = await service.preview({ mode: 'all', type: 'smtp' });
    expect(p).toMatchObject({ total: N, notAllowed: { total: 0 } });
    await root.request('PUT', `sys/policies/acl/${name}`, { policy: narrow });
    let from = statSync(s.openbao.auditLogPath).size;
    await expect(service.start(p.previewId, p.confirmPhrase, 'quarterly')).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      message: `Your permissions changed since the preview: ${N} of ${N} secret(s) may not be rotated now (Your policies do not grant update on ${mount}/data/t-000001/smtp/admin.) Nothing was rotated; preview again.`,
    });
    expect(service.jobs()).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    expect(writeAttemptsSince(from, mount)).toEqual([]);

    // A job paused by the user; the policy is narrowed; resume asks Vault first.
    await root.request('PUT', `sys/policies/acl/${name}`, { policy: full });
    let jobId = '';
    let pausedOnce = false;
    const { service: svc } = newService(client, mount, {
      progressEveryMs: 0,
      events: {
        emit: (_e, x) => {
          const j = x as JobSummary;
          if (!pausedOnce && j.id === jobId && j.status === 'running' && j.done >= 3) {
            pausedOnce = true;
            svc.pause(jobId);
          }
        },
      },
    });
    const p2 = await svc.preview({ mode: 'all', type: 'smtp' });
    jobId = (await svc.start(p2.previewId, p2.confirmPhrase, 'paused midway', 1)).id;
    const paused = await svc.wait(jobId);
    expect(paused).toMatchObject({ status: 'paused', pauseReason: 'Paused by the user.' });
    const done = paused.done;
    expect(done).toBeGreaterThanOrEqual(3);
    expect(done).toBeLessThan(N);
    await root.request('PUT', `sys/policies/acl/${name}`, { policy: narrow });
    from = statSync(s.openbao.auditLogPath).size;
    svc.resume(jobId);
    const again = await svc.wait(jobId);
    expect(again.status).toBe('paused');
    expect(again.pauseReason).toBe(`Your policies do not allow ${N - done} of the ${N - done} remaining secret(s) (Your policies do not grant update on ${mount}/data/t-${String(done + 1).padStart(6, '0')}/smtp/admin.) Nothing was written; resume after the policy is fixed, or cancel.`);
    expect(again).toMatchObject({ done, failed: 0 });
    await new Promise((r) => setTimeout(r, 300));
    expect(writeAttemptsSince(from, mount)).toEqual([]);
    // Fixed: the resume finishes the job, each secret rotated once.
    await root.request('PUT', `sys/policies/acl/${name}`, { policy: full });
    svc.resume(jobId);
    expect(await svc.wait(jobId)).toMatchObject({ status: 'completed', done: N, failed: 0 });
    expect(await versions(kv, N)).toEqual(Array(N).fill(2));
    client.close();
  }, 90_000);

  it('a preview belongs to the identity that made it: another identity signed in on the same console must preview for itself', async () => {
    const mount = await freshMount(root, 'rot-perm-who');
    const kv = createKvStore(root, mount);
    await seed(root, mount, 3, 'rot-perm-who');
    let who = 'alice';
    const { service } = newService(root, mount, { actor: () => who });
    const p = await service.preview({ mode: 'all', type: 'smtp' });
    who = 'bob';
    await expect(service.start(p.previewId, p.confirmPhrase, 'not mine')).rejects.toMatchObject({ code: 'CONFLICT', message: 'That preview was made by another identity or for another mount; preview the rotation again.' });
    expect(await versions(kv, 3)).toEqual([1, 1, 1]);
    const mine = await service.preview({ mode: 'all', type: 'smtp' });
    const job = await service.start(mine.previewId, mine.confirmPhrase, 'mine');
    expect(await service.wait(job.id)).toMatchObject({ status: 'completed', done: 3, actor: 'bob', mine: true });
  }, 60_000);
});
