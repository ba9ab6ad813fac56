// Issue 17.5, against the real OpenBao: the auditor used to see this computer's rotation
// jobs of other identities, and the built-in default schedules, as if they were the
// cluster's. Each job now says whose it is and which Vault and mount it ran against; the
// schedules say whether they are the cluster's (read from the entry, or from its metadata
// copy for a metadata-only policy), the defaults the cluster uses (none saved), or the
// defaults shown because the cluster's cannot be read.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionFromEnv } from '../../../src/main/services/config/app-config';
import { createVaultClient, type VaultClient } from '../../../src/main/services/vault/vault-client';
import { DEFAULT_SCHEDULES } from '../../../src/shared/rotation/rules';
import { baoFetch, loadTestServices, type ServicesState } from '../helpers/services';
import { freshMount, newService, rootClient, seed, tempDir } from './rotation-helpers';

let s: ServicesState;
let root: VaultClient;
const AUDITOR = join(__dirname, '..', '..', 'services', 'openbao', 'policies', 'vault-console-auditor.hcl');

beforeAll(async () => {
  s = await loadTestServices();
  root = rootClient(s);
});
afterAll(() => root?.close());

async function tokenWith(name: string, policy: string): Promise<VaultClient> {
  await root.request('PUT', `sys/policies/acl/${name}`, { policy });
  const tok = await baoFetch<{ auth: { client_token: string } }>(s, 'POST', 'auth/token/create', { body: { policies: [name], ttl: '10m' } });
  return createVaultClient(connectionFromEnv({ VAULT_ADDR: s.openbao.addr }), tok.body.auth.client_token);
}

describe('what the auditor sees', () => {
  it('schedules: the cluster’s (data or metadata copy), the defaults the cluster uses, or defaults marked as not the cluster’s', async () => {
    const mount = await freshMount(root, 'rot-aud-sched');
    await seed(root, mount, 1, 'rot-aud-sched');
    const auditorPolicy = readFileSync(AUDITOR, 'utf8').replaceAll('__KV_MOUNT__', mount);
    const auditor = await tokenWith(`${mount}-auditor`, auditorPolicy);
    const blind = await tokenWith(`${mount}-blind`, `${auditorPolicy}\npath "${mount}/metadata/_rotation-schedules" { capabilities = ["deny"] }\n`);
    const { service: admin } = newService(root, mount, { actor: () => 'alice' });
    const { service: aud } = newService(auditor, mount, { actor: () => 'auditor' });
    const { service: nobody } = newService(blind, mount, { actor: () => 'blind' });

    // Nothing saved: every console uses the defaults, and that is what everyone is told.
    for (const svc of [admin, aud]) expect(await svc.schedules()).toMatchObject({ source: 'defaults', problem: null, version: 0, schedules: DEFAULT_SCHEDULES });
    const saved = await admin.setSchedules({ days: { ssh: 60, smtp: 120, dkim: 365, api: 365 }, graceHours: { ssh: 12, dkim: 48 } }, 0);
    await admin.wait(saved.rescheduleJobId!);
    expect(await admin.schedules()).toMatchObject({ source: 'vault', version: 1, updatedBy: 'alice', schedules: { days: { ssh: 60, smtp: 120 } } });
    // The auditor may not read the entry's data: the metadata copy gives the cluster's values.
    expect(await aud.schedules()).toMatchObject({ source: 'vault-metadata', problem: null, version: 1, updatedBy: 'alice', schedules: { days: { ssh: 60, smtp: 120 }, graceHours: { ssh: 12 } } });
    // An identity that may read neither: the defaults, marked as such, with why.
    expect(await nobody.schedules()).toMatchObject({
      source: 'unreadable',
      version: 0,
      schedules: DEFAULT_SCHEDULES,
      problem: `Your policies do not allow reading the cluster's rotation schedules (_rotation-schedules in ${mount}); the built-in defaults are shown.`,
    });
    for (const c of [auditor, blind]) c.close();
  });

  it('jobs: whose they are, and whether they ran against the active Vault and mount', async () => {
    const mount = await freshMount(root, 'rot-aud-jobs');
    await seed(root, mount, 3, 'rot-aud-jobs');
    const dir = tempDir('rot-aud-jobs-');
    // The same computer (one SQLite): alice from the CLI, then the auditor signed in on the app.
    const { service: cli, db } = newService(root, mount, { actor: () => 'alice (cli)', cluster: () => `${s.openbao.addr}|` }, dir);
    const p = await cli.preview({ mode: 'all', type: 'smtp' });
    const job = await cli.start(p.previewId, p.confirmPhrase, 'quarterly');
    await cli.wait(job.id);
    db.close();
    const { service: alice } = newService(root, mount, { actor: () => 'alice', cluster: () => `${s.openbao.addr}|` }, dir);
    const { service: auditorHere } = newService(root, mount, { actor: () => 'auditor', cluster: () => `${s.openbao.addr}|` }, dir);
    const { service: auditorElsewhere } = newService(root, 'other-mount', { actor: () => 'auditor', cluster: () => 'https://vault.other.example:8200|' }, dir);
    expect(alice.jobs()[0]).toMatchObject({ id: job.id, actor: 'alice (cli)', mine: true, here: true, vaultAddress: s.openbao.addr, mount });
    expect(auditorHere.jobs()[0]).toMatchObject({ id: job.id, actor: 'alice (cli)', mine: false, here: true });
    expect(auditorElsewhere.report(job.id)).toMatchObject({ actor: 'alice (cli)', mine: false, here: false, vaultAddress: s.openbao.addr, mount });
    // "Rotate these now" of a job that ran elsewhere is refused: it belongs to that Vault.
    await expect(auditorElsewhere.preview({ mode: 'changed', jobId: job.id })).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
