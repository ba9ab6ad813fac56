// Incident response on the real OpenBao, from its own audit log: one identity (mallory)
// reads 30 secrets of 12 tenants among noise from others (alice, bob, root, and mallory's
// own reads before the incident window, metadata reads and a denied read). The blast
// radius lists exactly those 30 (by user, entity, accessor), the incident job rotates
// exactly those 30 (new versions with the incident id in custom_metadata, no grace) and
// nothing else in the mount changes: every other secret's version and metadata are
// compared before and after, from Vault. A secret changed after the preview is skipped
// and reported, never overwritten; an API key the identity read is left to a one-by-one
// rotation whose new key is shown once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditService } from '../../../src/main/services/audit/audit-service';
import { IncidentService } from '../../../src/main/services/incident/incident-service';
import { createLogger } from '../../../src/main/services/log/logger';
import { recorderRotationAudit } from '../../../src/main/services/rotation/rotation-audit';
import type { RotationService } from '../../../src/main/services/rotation/rotation-service';
import type { SessionInfo } from '../../../src/main/services/session/session-types';
import { SettingsRepo } from '../../../src/main/services/storage/settings-repo';
import { systemClock } from '../../../src/main/services/time/clock';
import { createKvStore, type KvStore } from '../../../src/main/services/vault/kv';
import type { VaultClient } from '../../../src/main/services/vault/vault-client';
import { openDatabase } from '../../../src/main/services/storage/database';
import { baoFetch, loadTestServices, userpassLogin, type ServicesState } from '../helpers/services';
import { freshMount, newService, rootClient, seed, tempDir } from '../rotation/rotation-helpers';

let s: ServicesState;
let root: VaultClient;
let mount: string;
let kv: KvStore;
let auditFile: string;
const dir = mkdtempSync(join(tmpdir(), 'vc-incident-story-'));
let audit: AuditService;
let rotation: RotationService;
let incident: IncidentService;
let T: string;
let chosen: string[];
let mallory: { token: string; accessor: string; entityId: string };
let allPaths: string[];

// Unique per run: the server and its audit log are shared with the other test files.
const MALLORY = `mallory-${Date.now().toString(36)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function read(token: string, path: string): Promise<number> {
  return (await baoFetch(s, 'GET', `${mount}/data/${path}`, { token })).status;
}

/** Every secret path of the mount (relative), from Vault. */
async function listAll(): Promise<string[]> {
  const out: string[] = [];
  for (const t of (await kv.list('')).filter((k) => k.endsWith('/') && !k.startsWith('_'))) {
    const walk = async (prefix: string) => {
      for (const k of await kv.list(prefix)) {
        if (k.endsWith('/')) await walk(`${prefix}${k}`);
        else out.push(`${prefix}${k}`);
      }
    };
    await walk(t);
  }
  return out.sort();
}

async function snapshot(paths: string[]): Promise<Map<string, { version: number; md: Record<string, string> }>> {
  const out = new Map<string, { version: number; md: Record<string, string> }>();
  for (const p of paths) {
    const m = await kv.readMetadata(p);
    out.set(p, { version: m?.currentVersion ?? -1, md: m?.customMetadata ?? {} });
  }
  return out;
}

async function login(user: string): Promise<{ token: string; accessor: string; entityId: string }> {
  const r = await baoFetch<{ auth: { client_token: string; accessor: string; entity_id: string } }>(s, 'POST', `auth/userpass/login/${user}`, { token: null, body: { password: `${user}-password-123` } });
  expect(r.status).toBe(200);
  return { token: r.body.auth.client_token, accessor: r.body.auth.accessor, entityId: r.body.auth.entity_id };
}

beforeAll(async () => {
  s = await loadTestServices();
  root = rootClient(s);
  mount = await freshMount(root, 'inc-story');
  kv = createKvStore(root, mount);
  await seed(root, mount, 16, 'inc-story');
  allPaths = await listAll();

  // The server's own file audit device (accessors HMAC'd, as Vault does by default).
  auditFile = s.openbao.auditLogPath;
  expect((await baoFetch(s, 'POST', 'sys/config/auditing/request-headers/x-vault-console-action', { body: { hmac: false } })).status).toBe(204);

  const policy = `path "${mount}/data/*" { capabilities = ["read"] }\npath "${mount}/metadata/*" { capabilities = ["read", "list"] }`;
  expect((await baoFetch(s, 'PUT', 'sys/policies/acl/inc-story-reader', { body: { policy } })).status).toBe(204);
  for (const u of [MALLORY, 'alice-noise', 'bob-noise']) {
    expect((await baoFetch(s, 'POST', `auth/userpass/users/${u}`, { body: { password: `${u}-password-123`, token_policies: 'inc-story-reader' } })).status).toBe(204);
  }
  mallory = await login(MALLORY);
  const alice = await login('alice-noise');
  const bob = await login('bob-noise');

  // 12 tenants, 30 secrets (no API keys: they are never part of a bulk job), deterministic.
  const tenants = [...new Set(allPaths.map((p) => p.split('/')[0]!))].sort();
  expect(tenants.length).toBe(16);
  const candidates = allPaths.filter((p) => !p.includes('/api/') && !p.endsWith('/profile') && tenants.slice(0, 12).includes(p.split('/')[0]!));
  chosen = [];
  for (let round = 0; chosen.length < 30; round++) {
    for (const t of tenants.slice(0, 12)) {
      const mine = candidates.filter((p) => p.startsWith(`${t}/`));
      const pick = mine[round];
      if (pick && chosen.length < 30) chosen.push(pick);
    }
  }
  chosen.sort();
  expect(new Set(chosen.map((p) => p.split('/')[0])).size).toBe(12);

  // Before the incident window: mallory reads three other secrets (not in the blast radius).
  const early = allPaths.filter((p) => !chosen.includes(p) && !p.endsWith('/profile') && !p.includes('/api/')).slice(-3);
  for (const p of early) expect(await read(mallory.token, p)).toBe(200);
  await sleep(1100);
  T = new Date().toISOString();
  await sleep(50);

  // The incident: mallory reads the 30 (some twice), amid noise.
  for (const [i, p] of chosen.entries()) {
    expect(await read(mallory.token, p)).toBe(200);
    if (i % 7 === 0) expect(await read(mallory.token, p)).toBe(200);
    expect(await read(i % 2 ? alice.token : bob.token, allPaths[(i * 5) % allPaths.length]!)).toBe(200);
  }
  // Not a value read: metadata and lists; and a read the policy denies.
  expect((await baoFetch(s, 'GET', `${mount}/metadata/${allPaths[0]}`, { token: mallory.token })).status).toBe(200);
  expect((await baoFetch(s, 'LIST', `${mount}/metadata/${tenants[13]}/ssh`, { token: mallory.token })).status).toBe(200);
  expect((await baoFetch(s, 'GET', `${s.openbao.kvMount}/data/t-000001/ssh/admin`, { token: mallory.token })).status).toBe(403);
  // Root and the noise users touch everything else.
  for (const p of allPaths.slice(0, 40)) await read(p.length % 2 ? alice.token : bob.token, p);
  await root.request('POST', `${mount}/data/${tenants[15]}/smtp/admin`, { data: { username: 'x', password: 'root-wrote-this' } });
  allPaths = await listAll();
  await sleep(300);

  const db = openDatabase(join(dir, 'console.db'));
  const info: SessionInfo = { signedIn: true, profileId: 'p', address: s.openbao.addr, method: 'token', displayName: 'root', username: 'incident-responder', entityId: null, policies: ['root'], expiresAt: null, renewable: false, expiringSoon: false, problem: null };
  const session = { info: () => info, requireClient: () => root, onChange: () => () => undefined };
  audit = new AuditService({ db, settings: new SettingsRepo(db), clock: systemClock, log: createLogger('test'), dataDir: dir, session, kvMount: () => mount });
  rotation = newService(root, mount, { audit: recorderRotationAudit(audit.recorder), actor: () => 'incident-responder' }, tempDir('inc-rot-')).service;
  incident = new IncidentService({ access: audit.repo.access, rotation, session, mount: () => mount, clock: systemClock, log: createLogger('test') });
  const [rep] = await audit.importFiles([auditFile]);
  expect(rep!.outcome).toBe('imported');
}, 300_000);

afterAll(async () => {
  await audit?.dispose();
  root?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('blast radius from the real audit log', () => {
  it('lists exactly the 30 secrets of 12 tenants mallory read since T, with counts and times, none rotated since', async () => {
    const r = await incident.blastRadius({ identity: { kind: 'user', value: MALLORY }, since: T });
    expect(r.secrets.map((x) => x.path)).toEqual(chosen);
    expect(r.tenants).toBe(12);
    expect(r.vaultChecked).toBe(true);
    for (const [i, p] of chosen.entries()) {
      const x = r.secrets.find((y) => y.path === p)!;
      expect(x.reads, p).toBe(i % 7 === 0 ? 2 : 1);
      expect(x.rotatedSince).toBe(false);
      expect(x.gone).toBe(false);
      expect(Date.parse(x.first)).toBeGreaterThanOrEqual(Date.parse(T));
    }
  });

  it('finds the same 30 by entity id and by token accessor (Vault logs its HMAC; the console asks Vault for it)', async () => {
    const byEntity = await incident.blastRadius({ identity: { kind: 'entity', value: mallory.entityId }, since: T });
    expect(byEntity.secrets.map((x) => x.path)).toEqual(chosen);
    const byAccessor = await incident.blastRadius({ identity: { kind: 'accessor', value: mallory.accessor }, since: T });
    expect(byAccessor.secrets.map((x) => x.path)).toEqual(chosen);
    expect(byAccessor.matchedValues).toBe(2); // the accessor as typed, and the file device's HMAC of it
    expect(byAccessor.notes).toEqual([]);
    // Before T mallory read three more: a wider window finds them too.
    const wider = await incident.blastRadius({ identity: { kind: 'user', value: MALLORY }, since: new Date(Date.parse(T) - 3_600_000).toISOString() });
    expect(wider.secrets.length).toBe(33);
  });
});

describe('the incident job', () => {
  it('rotates exactly those 30 with the incident id in custom_metadata, no grace, and nothing else changes (checked in Vault)', async () => {
    const before = await snapshot(allPaths);
    const p = await incident.preview({ identity: { kind: 'user', value: MALLORY }, since: T, incidentId: 'INC-4242' });
    expect(p).toMatchObject({ total: 30, tenants: 12, incidentId: 'INC-4242', confirmPhrase: 'ROTATE 30', excluded: [] });
    expect(p.targets.map((t) => t.path)).toEqual(chosen);
    await expect(incident.start(p.previewId, 'ROTATE 29', 'x')).rejects.toThrow(/Type "ROTATE 30"/);
    const job = await incident.start(p.previewId, p.confirmPhrase, p.defaultReason, 4);
    expect(job.incidentId).toBe('INC-4242');
    const end = await rotation.wait(job.id);
    expect(end).toMatchObject({ status: 'completed', done: 30, failed: 0, skipped: 0, incidentId: 'INC-4242' });

    const after = await snapshot(allPaths);
    for (const path of allPaths) {
      const b = before.get(path)!;
      const a = after.get(path)!;
      if (chosen.includes(path)) {
        expect(a.version, path).toBe(b.version + 1);
        expect(a.md.rotation_incident, path).toBe('INC-4242');
        expect(a.md.rotation_job, path).toBe(job.id);
        expect(a.md.grace_until ?? null, path).toBeNull();
        if (path.includes('/ssh/') || path.includes('/smtp/')) expect(a.md.emergency_reset_at, path).toMatch(/^\d{4}-/);
        const data = (await kv.read<Record<string, unknown>>(path))!.data;
        expect(data.rotation_incident).toBe('INC-4242');
        expect(data.previous_private_key ?? data.previous_public_key ?? null).toBeNull();
      } else if (path.endsWith('/profile')) {
        // The writers' rule (docs/vault-layout.md): the tenant's change stamp moves, so every
        // console's next sync rescans it; only for the 12 tenants rotated, nothing else.
        const { changed_at: ca, ...am } = a.md;
        const { changed_at: cb, ...bm } = b.md;
        expect({ version: a.version, md: am }, path).toEqual({ version: b.version, md: bm });
        expect(ca !== cb, path).toBe(chosen.some((c) => c.startsWith(`${path.split('/')[0]}/`)));
      } else {
        expect(a, path).toEqual(b);
      }
    }

    // The report carries the incident, and Vault's own log (re-imported) shows each rotation under it.
    const rep = incident.report(job.id);
    expect(rep).toMatchObject({ incidentId: 'INC-4242', apiKeys: [] });
    expect(rep.rotated.map((x) => x.path).sort()).toEqual(chosen);
    await sleep(300);
    await audit.importFiles([auditFile]);
    // Vault's record: a write of each; the console header annotates it with the incident.
    const writes = audit.repo.access
      .annotatedEvents({ from: Date.parse(T), to: Date.now() }, ['write'], 10_000)
      .filter((e) => e.source === 'vault' && e.path.startsWith(`${mount}/data/`) && (e.consoleAction === 'emergency-reset' || e.consoleAction === 'rotate'));
    expect(writes.map((w) => w.path.slice(mount.length + 6)).sort()).toEqual(chosen);
    expect(new Set(writes.map((w) => w.incidentId))).toEqual(new Set(['INC-4242']));
    const radius = await incident.blastRadius({ identity: { kind: 'user', value: MALLORY }, since: T });
    expect(radius.secrets.every((x) => x.rotatedSince === true)).toBe(true);
  });

  it('never overwrites a secret changed after the preview: it is skipped and reported "changed since preview"', async () => {
    const p = await incident.preview({ identity: { kind: 'user', value: MALLORY }, since: T, incidentId: 'INC-4243' });
    expect(p.total).toBe(30);
    const victim = chosen.find((x) => x.includes('/smtp/'))!;
    const cur = (await kv.read<Record<string, unknown>>(victim))!;
    await kv.write(victim, { ...cur.data, password: 'set-by-a-colleague' }, { cas: cur.version });
    const job = await incident.start(p.previewId, p.confirmPhrase, 'second pass', 4);
    const end = await rotation.wait(job.id);
    expect(end).toMatchObject({ status: 'completed', done: 29, skipped: 0, changed: 1 });
    const rep = incident.report(job.id);
    expect(rep.job.changedItems).toEqual([expect.objectContaining({ path: victim, reason: expect.stringMatching(/^Changed since the preview/) })]);
    expect((await kv.read<Record<string, unknown>>(victim))!.data.password).toBe('set-by-a-colleague');
  });

  it('an API key the identity read is left out of the job and rotated one by one, its new key shown once', async () => {
    const eve = await (async () => {
      await baoFetch(s, 'POST', 'auth/userpass/users/eve-story', { body: { password: 'eve-story-password-123', token_policies: 'inc-story-reader' } });
      return userpassLogin(s, 'eve-story', 'eve-story-password-123');
    })();
    const apiKey = allPaths.find((x) => x.includes('/api/'))!;
    const smtp = allPaths.filter((x) => x.includes('/smtp/'))[0]!;
    const since = new Date().toISOString();
    await sleep(20);
    expect(await read(eve, apiKey)).toBe(200);
    expect(await read(eve, smtp)).toBe(200);
    await sleep(300);
    await audit.importFiles([auditFile]);
    const p = await incident.preview({ identity: { kind: 'user', value: 'eve-story' }, since, incidentId: 'INC-4244' });
    expect(p.targets.map((t) => t.path)).toEqual([smtp]);
    expect(p.excluded).toEqual([{ path: apiKey, type: 'api', reason: 'API key: rotate one by one (the new key is shown once)' }]);
    const job = await incident.start(p.previewId, p.confirmPhrase, 'eve', 1);
    await rotation.wait(job.id);
    expect(incident.report(job.id).apiKeys).toEqual([apiKey]);
    const r = await incident.rotateApiKey('INC-4244', apiKey, '');
    expect(r.newApiKey?.apiKey).toMatch(/^pm_(live|test)_/);
    expect((await kv.readMetadata(apiKey))!.customMetadata.rotation_incident).toBe('INC-4244');
    rotation.apiKeys.close(r.newApiKey!.handoverId, 'user');
    await expect(incident.rotateApiKey('INC-4244', smtp, '')).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(incident.preview({ identity: { kind: 'user', value: 'eve-story' }, since, incidentId: 'not an incident' })).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('starts only an incident preview: a bulk preview given to incident:start is refused before anything starts', async () => {
    const bulk = await rotation.preview({ mode: 'all', type: 'smtp' });
    const jobsBefore = rotation.jobs().length;
    await expect(incident.start(bulk.previewId, bulk.confirmPhrase, 'not an incident')).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(rotation.jobs()).toHaveLength(jobsBefore);
    expect(incident.jobs().every((j) => !!j.incidentId)).toBe(true);
  });
});

