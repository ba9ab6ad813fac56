// "Rotate All SMTP Credentials" writes each credential with a KV v2 data PATCH and
// check-and-set on the version its preview listed, without reading it first; a version
// that moved since the preview (another admin, a deleted tenant) costs exactly one read,
// and such a secret is never rotated by the job (changed since preview, or gone). Checked against the real OpenBao: its
// audit log shows which secrets were read, KV versions show each was written once, and
// the new versions hold what the read-then-write path writes.
import { openSync, readSync, closeSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSmtpSafePassword } from '../../../src/main/services/keys';
import { createKvStore } from '../../../src/main/services/vault/kv';
import type { VaultClient } from '../../../src/main/services/vault/vault-client';
import { loadTestServices, type ServicesState } from '../helpers/services';
import { freshMount, newService, rootClient, seed } from './rotation-helpers';

let s: ServicesState;
let root: VaultClient;

beforeAll(async () => {
  s = await loadTestServices();
  root = rootClient(s);
});
afterAll(() => root?.close());

/** Audit-log requests on `<mount>/data/...` written after `from` (bytes), as [operation, path]. */
function dataRequestsSince(from: number, mount: string): Array<[string, string]> {
  const size = statSync(s.openbao.auditLogPath).size;
  const buf = Buffer.alloc(size - from);
  const fd = openSync(s.openbao.auditLogPath, 'r');
  try {
    readSync(fd, buf, 0, buf.length, from);
  } finally {
    closeSync(fd);
  }
  const out: Array<[string, string]> = [];
  for (const line of buf.toString('utf8').split('\n')) {
    if (!line.includes(`"${mount}/data/`)) continue;
    const e = JSON.parse(line) as { type: string; request?: { operation?: string; path?: string } };
    if (e.type === 'request' && e.request?.path?.startsWith(`${mount}/data/`)) out.push([e.request.operation ?? '', e.request.path.slice(mount.length + 6)]);
  }
  return out;
}

describe('Rotate All SMTP Credentials without reading each secret first', () => {
  it('writes each credential once with check-and-set on the previewed version; a moved version costs one read and is reported, not rotated', async () => {
    const mount = await freshMount(root, 'rot-fast');
    const kv = createKvStore(root, mount);
    await seed(root, mount, 8, 'rot-fast');
    const { service } = newService(root, mount, { actor: () => 'alice' });
    // t-000001 carries an earlier emergency reset (incident, emergency flag): those keys must not survive.
    await service.emergencyReset('t-000001', 'smtp', 'INC-1234');
    const before = new Map<string, { version: number; data: Record<string, unknown>; md: Record<string, string> }>();
    for (let i = 1; i <= 8; i++) {
      const p = `t-00000${i}/smtp/admin`;
      const r = (await kv.read(p))!;
      before.set(p, { version: r.version, data: r.data, md: (await kv.readMetadata(p))!.customMetadata });
    }

    const preview = await service.preview({ mode: 'all', type: 'smtp' });
    expect(preview.total).toBe(8);
    // After the preview: another admin rotates t-000002 (its previewed version is stale now),
    // and t-000003 is deleted.
    const { service: bob } = newService(root, mount, { actor: () => 'bob' });
    await bob.rotateOne('t-000002', 'smtp', 'bob was first');
    await kv.deleteMetadata('t-000003/smtp/admin');
    const afterBob = (await kv.read('t-000002/smtp/admin'))!;

    const logFrom = statSync(s.openbao.auditLogPath).size;
    const job = await service.start(preview.previewId, preview.confirmPhrase, 'quarterly SMTP', 4);
    const end = await service.wait(job.id);
    expect(end).toMatchObject({ status: 'completed', total: 8, done: 6, failed: 0, skipped: 1, changed: 1 });
    const report = service.report(job.id);
    expect(report.skippedItems).toEqual([{ tenantId: 't-000003', path: 't-000003/smtp/admin', reason: 'The secret no longer exists (tenant or secret deleted during the job).' }]);
    expect(report.changedItems).toEqual([{ tenantId: 't-000002', path: 't-000002/smtp/admin', reason: expect.stringMatching(/^Changed since the preview: version 1 was previewed, version 2 is current \(rotated by bob at /) }]);

    // Vault's audit log: one PATCH per secret; reads only where the previewed version had moved.
    await expect.poll(() => dataRequestsSince(logFrom, mount).length, { timeout: 5_000 }).toBeGreaterThanOrEqual(10);
    const reqs = dataRequestsSince(logFrom, mount).filter(([, p]) => p.endsWith('/smtp/admin'));
    expect(reqs.filter(([op]) => op === 'read').map(([, p]) => p).sort()).toEqual(['t-000002/smtp/admin', 't-000003/smtp/admin']);
    expect(reqs.filter(([op]) => op === 'patch').length).toBe(8);

    // Bob's rotation is what Vault holds for t-000002: the job did not rotate on top of it.
    const t2 = (await kv.read('t-000002/smtp/admin'))!;
    expect(t2.version).toBe(afterBob.version);
    expect(t2.data).toEqual(afterBob.data);
    for (let i = 1; i <= 8; i++) {
      const p = `t-00000${i}/smtp/admin`;
      if (i === 2 || i === 3) continue;
      const b = before.get(p)!;
      const now = (await kv.read(p))!;
      const md = (await kv.readMetadata(p))!.customMetadata;
      // Exactly one new version by this job.
      expect(now.version, p).toBe(b.version + 1);
      expect(now.data).toMatchObject({ username: b.data.username, webmail_url: b.data.webmail_url, rotated_by: 'alice', rotation_reason: 'quarterly SMTP', rotation_job: job.id });
      expect(now.data.password).not.toBe(b.data.password);
      expect(isSmtpSafePassword(String(now.data.password))).toBe(true);
      expect(now.data.rotation_id).toMatch(new RegExp(`^${job.id}:\\d+$`));
      // Nothing of an earlier rotation is left in the new version or the metadata.
      expect(now.data).not.toHaveProperty('rotation_incident');
      expect(now.data).not.toHaveProperty('emergency_reset');
      expect(md).not.toHaveProperty('rotation_incident');
      expect(md).not.toHaveProperty('emergency_reset_at');
      expect(md).toMatchObject({ schema: b.md.schema, status: 'active', source: 'console', rotation_id: String(now.data.rotation_id), last_rotated: String(now.data.rotated_at), rotation_days: '180' });
      expect(Date.parse(md.next_rotation!) - Date.parse(md.last_rotated!)).toBe(180 * 86_400_000);
    }
  });

  it('a secret without the layout metadata is read first and gets complete metadata', async () => {
    const mount = await freshMount(root, 'rot-fast-nomd');
    const kv = createKvStore(root, mount);
    await seed(root, mount, 2, 'rot-fast-nomd');
    // Written by someone else's script: data only, no custom_metadata.
    await kv.deleteMetadata('t-000002/smtp/admin');
    await kv.write('t-000002/smtp/admin', { username: 'legacy@example.org', password: 'legacy-password-0123456789-abcdefgh' });
    const { service } = newService(root, mount);
    const p = await service.preview({ mode: 'all', type: 'smtp' });
    const logFrom = statSync(s.openbao.auditLogPath).size;
    const end = await service.wait((await service.start(p.previewId, p.confirmPhrase, 'no metadata', 2)).id);
    expect(end).toMatchObject({ status: 'completed', done: 2 });
    await expect.poll(() => dataRequestsSince(logFrom, mount).filter(([op]) => op !== 'read').length, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    expect(dataRequestsSince(logFrom, mount).filter(([op, path]) => op === 'read' && path.endsWith('/smtp/admin')).map(([, path]) => path)).toEqual(['t-000002/smtp/admin']);
    const md = (await kv.readMetadata('t-000002/smtp/admin'))!.customMetadata;
    expect(md).toMatchObject({ schema: expect.any(String), type: 'smtp', status: 'active', rotation_days: '180' });
    expect((await kv.read('t-000002/smtp/admin'))!.data.username).toBe('legacy@example.org');
  });
});
