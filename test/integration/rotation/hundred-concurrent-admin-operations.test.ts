// Issue 13.3, the spec's "100+ simultaneous admin operations", against one real OpenBao:
// five console instances (the app's services, each with its own SQLite and its own admin
// identity) and two CLI processes (their own SQLite) fire 100 operations at once: bulk
// jobs over the same secrets (two "rotate all SMTP" previewed on the same versions, an
// overdue SSH + DKIM job, a CLI "rotate all SSH"), single rotations of overlapping secrets,
// emergency resets, reveals, deletion approvals racing for the same requests, API-key
// revokes racing rotations of the same keys, and hand edits (as `vault kv put` would).
//
// Then Vault's own version history is the judge: every version written during the storm is
// claimed by exactly one operation that reported it, each console write sits on top of
// the version its operation had seen (the preview's, or the one the admin looked at), no
// revoke or approval was undone, and every operation that did not write reported why
// (CONFLICT, or "changed since preview"), so no update is lost and every conflict is told.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionFromEnv } from '../../../src/main/services/config/app-config';
import { createServices, DATABASE_FILE, type Services } from '../../../src/main/services/container';
import { MemorySecretStore } from '../../../src/main/services/keychain/memory-secret-store';
import { enrolmentMount, enrolmentPaths, keyName } from '../../../src/main/services/enrolment/enrolment-paths';
import { openDatabase, type SqlDatabase } from '../../../src/main/services/storage/database';
import { CHANGED_SINCE_PREVIEW } from '../../../src/main/services/storage/rotation-repo';
import { createKvStore } from '../../../src/main/services/vault/kv';
import type { VaultClient } from '../../../src/main/services/vault/vault-client';
import { AppError } from '../../../src/shared/errors';
import { CodeSource, secretOf } from '../reveal/reveal-fixtures';
import { baoFetch, loadTestServices, userpassLogin, type ServicesState } from '../helpers/services';
import { freshMount, rootClient, seed, tempDir } from './rotation-helpers';

let s: ServicesState;
let root: VaultClient;
const REPO = join(__dirname, '..', '..', '..');
const POLICIES = join(__dirname, '..', '..', 'services', 'openbao', 'policies');
const T = (i: number) => `t-${String(i).padStart(6, '0')}`;

beforeAll(async () => {
  s = await loadTestServices();
  root = rootClient(s);
});
afterAll(() => root?.close());

/** A version some operation says it wrote, and what that version must hold. */
interface Claim {
  path: string;
  version: number;
  op: string;
  holds(data: Record<string, unknown>): boolean;
  /** The version the operation saw and wrote on top of (check-and-set); null: no check (hand edit). */
  onTopOf: number | null;
}

type Outcome = { op: string; ok: true; claims: Claim[]; note?: unknown } | { op: string; ok: false; code: string; message: string };

function failure(op: string, err: unknown): Outcome {
  return { op, ok: false, code: err instanceof AppError ? err.code : 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

interface JobItem {
  seq: number;
  path: string;
  base_version: number;
  new_version: number | null;
  state: string;
  error_code: string | null;
}

function jobItems(db: SqlDatabase, jobId: string): JobItem[] {
  return db.prepare('SELECT seq, path, base_version, new_version, state, error_code FROM rotation_job_items WHERE job_id = ? ORDER BY seq').all(jobId) as JobItem[];
}

function jobClaims(op: string, jobId: string, items: JobItem[]): Claim[] {
  return items
    .filter((i) => i.state === 'done')
    .map((i) => ({ path: i.path, version: i.new_version!, op, onTopOf: i.base_version, holds: (d) => d.rotation_id === `${jobId}:${i.seq}` }));
}

function cli(args: string[], token: string, dataDir: string, mount: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'main', 'cli.ts'), ...args, `-mount=${mount}`, `-data-dir=${dataDir}`], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', VAULT_ADDR: s.openbao.addr, VAULT_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('100 concurrent admin operations from several consoles against one Vault', () => {
  it('loses no update and reports every conflict', async () => {
    const mount = await freshMount(root, 'rot-100');
    const kv = createKvStore(root, mount);
    await root.request('POST', `sys/mounts/${mount}-approvals`, { type: 'kv', options: { version: '2' } });
    for (let i = 0; i < 50 && (await baoFetch(s, 'LIST', `${mount}-approvals/metadata`)).status >= 500; i++) await new Promise((r) => setTimeout(r, 100));
    await seed(root, mount, 30, 'rot-100');
    // The console's real admin policy, for this mount; six admins.
    await root.request('PUT', `sys/policies/acl/${mount}-admin`, { policy: readFileSync(join(POLICIES, 'vault-console-admin.hcl'), 'utf8').replaceAll('__KV_MOUNT__', mount) });
    const suffix = randomBytes(3).toString('hex');
    const users = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'].map((n) => ({ username: `${n}-${suffix}`, password: randomBytes(18).toString('base64url') }));
    for (const u of users) await root.request('POST', `auth/userpass/users/${u.username}`, { password: u.password, token_policies: `${mount}-admin`, token_ttl: '1h' });
    const codes = new Map<string, CodeSource>();
    // Second factors as a grant leaves them (docs/enrolment.md); root stands in for the granting
    // admin here: this test is about concurrent writes, the enrolment tests cover the grant itself.
    await root.request('POST', `sys/mounts/${enrolmentMount(mount)}`, { type: 'kv', options: { version: '2' } });
    for (let i = 0; i < 50 && (await baoFetch(s, 'LIST', `${enrolmentMount(mount)}/metadata`)).status >= 500; i++) await new Promise((r) => setTimeout(r, 100));
    for (const u of users.slice(0, 5)) {
      const login = await baoFetch<{ auth: { entity_id: string } }>(s, 'POST', `auth/userpass/login/${u.username}`, { token: null, body: { password: u.password } });
      const entityId = login.body.auth.entity_id;
      const grantId = `g${randomBytes(6).toString('hex')}`;
      const name = keyName(entityId, grantId);
      const k = await root.request<{ data: { url: string } }>('POST', `totp/keys/${name}`, { generate: true, exported: true, issuer: 'Vault Console', account_name: u.username, period: 30, digits: 6, algorithm: 'SHA1' });
      await root.request('POST', enrolmentPaths.active(mount, entityId), { data: { key_name: name, grant_id: grantId, granter_entity: 'root', granted_by: 'root', activated_at: new Date().toISOString() } });
      codes.set(u.username, new CodeSource(secretOf(k.data.url)));
    }

    // Some SSH keys and DKIM keys overdue, so the overdue job meets the single rotations.
    for (let i = 11; i <= 20; i++) {
      const p = `${T(i)}/ssh/admin`;
      await kv.writeMetadata(p, { customMetadata: { ...(await kv.readMetadata(p))!.customMetadata, status: 'active', next_rotation: '2020-01-01T00:00:00.000Z' } });
    }
    const dkim: string[] = [];
    for (let i = 21; i <= 23; i++) {
      const domain = (await kv.list(`${T(i)}/dkim`))[0]!;
      const p = `${T(i)}/dkim/${domain}`;
      dkim.push(p);
      await kv.writeMetadata(p, { customMetadata: { ...(await kv.readMetadata(p))!.customMetadata, status: 'active', next_rotation: '2020-01-01T00:00:00.000Z' } });
    }

    // Five consoles, each the app's services on its own SQLite, each signed in as its own admin.
    const consoles: Services[] = [];
    for (const u of users.slice(0, 5)) {
      const svc = createServices({
        // Generous request timeouts: the storm shares two cores with OpenBao (and whatever else runs).
        connection: { ...connectionFromEnv({ VAULT_ADDR: s.openbao.addr, VAULT_CONSOLE_KV_MOUNT: mount }), timeoutMs: 120_000 },
        shell: 'harness',
        appVersion: 'test',
        platform: process.platform,
        dataDir: tempDir('rot-100-'),
        secretStore: new MemorySecretStore(),
        openExternal: async () => undefined,
        events: { emit: () => undefined },
      });
      await svc.session.loginUserpass(u.username, u.password);
      await svc.rotation.graceSweepIdle();
      consoles.push(svc);
    }
    const [A, B, C, D, E] = consoles as [Services, Services, Services, Services, Services];
    const [alice, bob, carol, dave, , frank] = users;
    try {
      // What the admins look at before the storm: versions, previews, API keys, approval requests.
      await A.inventory.sync({ mode: 'full' });
      const apiKeys: string[] = [];
      for (let i = 11; i <= 30 && apiKeys.length < 10; i++) {
        for (const k of await kv.list(`${T(i)}/api`)) {
          if ((await kv.readMetadata(`${T(i)}/api/${k}`))!.customMetadata.status === 'active') {
            apiKeys.push(`${T(i)}/api/${k}`);
            break;
          }
        }
      }
      expect(apiKeys).toHaveLength(10);
      const requests = [];
      for (let i = 26; i <= 30; i++) requests.push(await A.audit.approvals.request(`${T(i)}/smtp/admin`, 'tenant offboarded'));

      const audited: string[] = [];
      for (let i = 1; i <= 30; i++) audited.push(`${T(i)}/smtp/admin`, `${T(i)}/ssh/admin`, `${T(i)}/ssh/tenant`);
      audited.push(...dkim, ...apiKeys);
      const baseline = new Map<string, number>();
      for (const p of audited) baseline.set(p, (await kv.readMetadata(p))!.currentVersion);
      const smtpPasswords = new Map<string, Set<string>>();

      const pA = await A.rotation.preview({ mode: 'all', type: 'smtp' });
      const pB = await B.rotation.preview({ mode: 'all', type: 'smtp' });
      const pC = await C.rotation.preview({ mode: 'overdue', types: ['ssh', 'dkim'] });
      expect(pA.total).toBe(30);
      expect(pB.total).toBe(30);
      expect(pC.total).toBeGreaterThanOrEqual(13);
      const revealCodes = new Map<string, string[]>();
      for (const u of users.slice(0, 5)) revealCodes.set(u.username, [await codes.get(u.username)!.valid(), await codes.get(u.username)!.valid()]);
      const frankToken = await userpassLogin(s, frank!.username, frank!.password);

      // ---- the storm: 100 operations at once ----------------------------------------------
      const ops: Array<{ op: string; run: () => Promise<Outcome> }> = [];
      const job = (op: string, svc: Services, previewId: string, phrase: string) =>
        ops.push({
          op,
          run: async () => {
            try {
              const started = await svc.rotation.start(previewId, phrase, op, 4);
              const end = await svc.rotation.wait(started.id);
              return { op, ok: true, claims: jobClaims(op, started.id, jobItems(svc.db, started.id)), note: { end, items: jobItems(svc.db, started.id) } };
            } catch (err) {
              return failure(op, err);
            }
          },
        });
      job('job A: all SMTP', A, pA.previewId, pA.confirmPhrase);
      job('job B: all SMTP', B, pB.previewId, pB.confirmPhrase);
      job('job C: overdue SSH+DKIM', C, pC.previewId, pC.confirmPhrase);
      const cliDir1 = tempDir('rot-100-cli1-');
      ops.push({
        op: 'CLI: all SSH',
        run: async () => {
          const r = await cli(['rotate', '-all=ssh', '-yes', '-concurrency=4', '-reason=cli all ssh', '-format=json'], frankToken, cliDir1, mount);
          const report = JSON.parse(r.stdout) as { id: string; failed: number; status: string };
          const db = openDatabase(join(cliDir1, DATABASE_FILE), { readonly: true });
          const items = jobItems(db, report.id);
          db.close();
          return { op: 'CLI: all SSH', ok: true, claims: jobClaims('CLI: all SSH', report.id, items), note: { end: report, items, code: r.code } };
        },
      });
      ops.push({
        op: 'CLI: rotate t-000005 smtp',
        run: async () => {
          const expected = baseline.get(`${T(5)}/smtp/admin`)!;
          const r = await cli(['rotate', T(5), 'smtp', '-reason=cli single', `-expected-version=${expected}`, '-format=json'], frankToken, tempDir('rot-100-cli2-'), mount);
          if (r.code !== 0) return { op: 'CLI: rotate t-000005 smtp', ok: false, code: /\[([A-Z_]+)\]\s*$/.exec(r.stderr.trim())?.[1] ?? 'INTERNAL', message: r.stderr.trim() };
          const out = JSON.parse(r.stdout) as { version: number };
          return { op: 'CLI', ok: true, claims: [{ path: `${T(5)}/smtp/admin`, version: out.version, op: 'CLI single', onTopOf: expected, holds: (d) => d.rotation_reason === 'cli single' }] };
        },
      });
      const single = (svc: Services, who: string, tenant: string, target: string, path: string) => {
        const op = `${who} rotates ${path}`;
        ops.push({
          op,
          run: async () => {
            try {
              const expected = baseline.get(path)!;
              const r = await svc.rotation.rotateOne(tenant, target, op, expected);
              return { op, ok: true, claims: [{ path, version: r.version, op, onTopOf: expected, holds: (d) => d.rotation_reason === op && d.rotated_by === who }] };
            } catch (err) {
              return failure(op, err);
            }
          },
        });
      };
      for (let i = 1; i <= 10; i++) {
        single(C, carol!.username, T(i), 'smtp', `${T(i)}/smtp/admin`);
        single(D, dave!.username, T(i), 'smtp', `${T(i)}/smtp/admin`);
      }
      for (let i = 11; i <= 20; i++) {
        single(A, alice!.username, T(i), 'ssh-admin', `${T(i)}/ssh/admin`);
        single(B, bob!.username, T(i), 'ssh-admin', `${T(i)}/ssh/admin`);
      }
      for (const p of dkim) {
        single(C, carol!.username, p.split('/')[0]!, `dkim:${p.split('/')[2]}`, p);
        single(D, dave!.username, p.split('/')[0]!, `dkim:${p.split('/')[2]}`, p);
      }
      for (let i = 17; i <= 19; i++) {
        const op = `erin emergency-resets ${T(i)} smtp`;
        ops.push({
          op,
          run: async () => {
            try {
              const [r] = await E.rotation.emergencyReset(T(i), 'smtp', `INC-${i}`, op);
              return { op, ok: true, claims: [{ path: r!.path, version: r!.version, op, onTopOf: r!.previousVersion, holds: (d) => d.rotation_reason === op && d.rotation_incident === `INC-${i}` }] };
            } catch (err) {
              return failure(op, err);
            }
          },
        });
      }
      for (let i = 11; i <= 16; i++) {
        const op = `hand edit of ${T(i)} smtp`;
        ops.push({
          op,
          run: async () => {
            // As `vault kv put` would: no check-and-set, so never a conflict; the consoles must not write over it unseen.
            const r = await kv.write(`${T(i)}/smtp/admin`, { username: `admin@${T(i)}.example`, password: `hand-${randomBytes(12).toString('hex')}`, hand: op });
            return { op, ok: true, claims: [{ path: `${T(i)}/smtp/admin`, version: r.version, op, onTopOf: null, holds: (d) => d.hand === op }] };
          },
        });
      }
      consoles.forEach((svc, n) => {
        const u = users[n]!;
        revealCodes.get(u.username)!.forEach((code, k) => {
          const tenant = T(1 + ((n * 2 + k) % 10));
          const op = `${u.username} reveals ${tenant} smtp`;
          ops.push({
            op,
            run: async () => {
              try {
                const v = await svc.reveal.verify({ tenantId: tenant, password: u.password, code });
                const seen = smtpPasswords.get(tenant) ?? new Set<string>();
                seen.add(v.password);
                smtpPasswords.set(tenant, seen);
                await svc.reveal.close(v.revealId);
                return { op, ok: true, claims: [] };
              } catch (err) {
                return failure(op, err);
              }
            },
          });
        });
      });
      for (const [svc, who] of [[B, bob!.username], [C, carol!.username]] as const) {
        for (const r of requests) {
          const op = `${who} approves ${r.id}`;
          ops.push({
            op,
            run: async () => {
              try {
                await svc.audit.approvals.approve(r.id);
                return { op, ok: true, claims: [], note: { id: r.id, who } };
              } catch (err) {
                return failure(op, err);
              }
            },
          });
        }
      }
      for (const path of apiKeys) {
        const [tenant, , keyId] = path.split('/') as [string, string, string];
        ops.push({
          op: `alice revokes ${path}`,
          run: async () => {
            try {
              await A.inventory.revokeApiKey(tenant, keyId, keyId);
              return { op: `alice revokes ${path}`, ok: true, claims: [], note: { revoked: path } };
            } catch (err) {
              return failure(`alice revokes ${path}`, err);
            }
          },
        });
        const op = `bob rotates ${path}`;
        ops.push({
          op,
          run: async () => {
            try {
              const r = await B.rotation.rotateOne(tenant, `api:${keyId}`, op);
              return { op, ok: true, claims: [{ path, version: r.version, op, onTopOf: r.previousVersion, holds: (d) => d.rotation_reason === op }] };
            } catch (err) {
              return failure(op, err);
            }
          },
        });
      }
      expect(ops).toHaveLength(100);
      const outcomes = await Promise.all(ops.map((o) => o.run()));

      // ---- what each operation said -------------------------------------------------------
      const byOp = new Map(outcomes.map((o) => [o.op, o] as const));
      const failed = outcomes.filter((o): o is Extract<Outcome, { ok: false }> => !o.ok);
      // The only refusals are conflicts, each with a reason; nothing else failed.
      expect(failed.filter((f) => f.code !== 'CONFLICT').map((f) => `${f.op}: ${f.code} ${f.message}`)).toEqual([]);
      for (const f of failed) expect(f.message.length, f.op).toBeGreaterThan(20);
      // Jobs: nothing failed; what they did not rotate was changed by someone else after their preview, and said so.
      let changedByJobs = 0;
      for (const name of ['job A: all SMTP', 'job B: all SMTP', 'job C: overdue SSH+DKIM', 'CLI: all SSH']) {
        const o = byOp.get(name)!;
        expect(o.ok, name).toBe(true);
        const { end, items } = (o as Extract<Outcome, { ok: true }>).note as { end: { status: string; failed: number }; items: JobItem[] };
        expect(end, name).toMatchObject({ status: 'completed', failed: 0 });
        for (const i of items.filter((x) => x.state !== 'done')) {
          expect(i.state, `${name} ${i.path}`).toBe('skipped');
          expect(i.error_code, `${name} ${i.path}`).toBe(CHANGED_SINCE_PREVIEW);
          changedByJobs++;
        }
      }
      // The storm really contended: the two "all SMTP" jobs alone previewed the same 30 versions.
      expect(changedByJobs + failed.length).toBeGreaterThanOrEqual(30);

      // ---- Vault's history judges --------------------------------------------------------
      const claims = outcomes.flatMap((o) => (o.ok ? o.claims : []));
      // A rotation overtaken by a revoke wrote a version and reported the conflict: it claims that version.
      for (const f of failed.filter((x) => /was revoked by .* while it was being rotated/.test(x.message))) {
        const path = f.op.replace(/^bob rotates /, '');
        claims.push({ path, version: -1, op: f.op, onTopOf: null, holds: (d) => d.rotation_reason === f.op });
      }
      for (const path of audited) {
        const from = baseline.get(path)!;
        const current = (await kv.readMetadata(path))!.currentVersion;
        const mine = claims.filter((c) => c.path === path);
        const history = new Map<number, Record<string, unknown>>();
        for (let v = from + 1; v <= current; v++) history.set(v, (await kv.read(path, v))!.data);
        for (const c of mine.filter((x) => x.version === -1)) c.version = [...history].find(([, d]) => c.holds(d))?.[0] ?? 0;
        // Every version of the storm is claimed by exactly one operation that reported writing it…
        for (let v = from + 1; v <= current; v++) {
          const who = mine.filter((c) => c.version === v);
          expect(who.map((c) => c.op), `${path} v${v}`).toHaveLength(1);
          expect(who[0]!.holds(history.get(v)!), `${path} v${v} holds what ${who[0]!.op} wrote`).toBe(true);
          // …and a console write sits on top of the version its operation had seen.
          if (who[0]!.onTopOf !== null) expect(v - 1, `${path} v${v} by ${who[0]!.op}`).toBe(who[0]!.onTopOf);
        }
        // …and every operation that reported a write finds it there.
        for (const c of mine) expect(c.version, `${c.op} on ${path}`).toBeGreaterThan(from);
        for (const c of mine) expect(c.version, `${c.op} on ${path}`).toBeLessThanOrEqual(current);
        // The rotation state in metadata describes the newest console rotation, not an older one.
        const latest = history.get(current);
        if (latest && typeof latest.rotation_id === 'string' && latest.hand === undefined) {
          expect((await kv.readMetadata(path))!.customMetadata.rotation_id, path).toBe(latest.rotation_id);
        }
        if (path.endsWith('/smtp/admin')) {
          // A reveal showed a password that some version held: no torn or invented read.
          const all = new Set<string>();
          for (let v = 1; v <= current; v++) all.add(String((await kv.read(path, v))?.data.password));
          for (const pw of smtpPasswords.get(path.split('/')[0]!) ?? []) expect(all.has(pw), `reveal of ${path}`).toBe(true);
        }
      }
      // Where several consoles wrote on the same previewed version, exactly one won.
      for (let i = 1; i <= 10; i++) {
        const path = `${T(i)}/smtp/admin`;
        expect(claims.filter((c) => c.path === path && c.onTopOf === baseline.get(path)).length, path).toBe(1);
      }
      // Revokes are never undone by a rotation.
      for (const path of apiKeys) {
        expect(byOp.get(`alice revokes ${path}`)!.ok, path).toBe(true);
        expect((await kv.readMetadata(path))!.customMetadata.status, path).toBe('revoked');
      }
      // Each approval request was approved once, by one of the two racing admins; the other was told.
      for (const r of requests) {
        const wins = [bob!.username, carol!.username].filter((who) => byOp.get(`${who} approves ${r.id}`)!.ok);
        expect(wins, r.id).toHaveLength(1);
        const stored = (await B.audit.approvals.list()).find((a) => a.id === r.id)!;
        expect(stored).toMatchObject({ status: 'approved', approvedBy: wins[0] });
      }
      const count = (re: RegExp) => [outcomes.filter((o) => re.test(o.op) && o.ok).length, failed.filter((o) => re.test(o.op)).length];
      process.stderr.write(
        `[100 ops] ok/conflict: single rotations ${count(/ rotates t-\d+\/(smtp|ssh|dkim)/).join('/')}, API rotations ${count(/rotates .*\/api\//).join('/')}, ` +
          `emergency resets ${count(/emergency-resets/).join('/')}, approvals ${count(/approves/).join('/')}, revokes ${count(/revokes/).join('/')}, reveals ${count(/reveals/).join('/')}; ` +
          `job items changed since preview: ${changedByJobs}; versions written: ${claims.length}\n`,
      );
      const reveals = outcomes.filter((o) => o.op.includes(' reveals '));
      expect(reveals.every((o) => o.ok)).toBe(true);
      expect(smtpPasswords.size).toBeGreaterThan(0);
    } finally {
      for (const c of consoles) await c.dispose();
    }
  }, 300_000);
});
