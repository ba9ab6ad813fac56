// Starts a real OpenBao (raft, initialised, unsealed) and the browser harness pointed
// at it; the returned function is Playwright's teardown and stops both.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOpenBao } from '../services/openbao/openbao';
import { startHarness } from '../harness/harness';
import { fileAuditPicker } from './support/audit-picks';
import { E2E_STATE_ENV, type E2eState } from './support/e2e-state';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const bao = await startOpenBao();
  const dir = await mkdtemp(join(tmpdir(), 'vault-console-e2e-'));
  const auditPicksPath = join(dir, 'audit-picks.json');
  let harness;
  try {
    // The harness gets only VAULT_ADDR; a developer's VAULT_TOKEN etc. must not leak in.
    harness = await startHarness({ env: { VAULT_ADDR: bao.addr }, auditFiles: fileAuditPicker(auditPicksPath) });
  } catch (err) {
    await bao.stop({ removeData: true });
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const statePath = join(dir, 'state.json');
  const state: E2eState = {
    harness: { url: harness.url, origin: harness.origin, token: harness.token },
    auditPicksPath,
    openbao: {
      addr: bao.addr,
      version: bao.version,
      rootToken: bao.rootToken,
      unsealKeys: bao.unsealKeys,
      threshold: bao.threshold,
      users: { admin: bao.users.admin, auditor: bao.users.auditor },
    },
  };
  await writeFile(statePath, JSON.stringify(state), { mode: 0o600 });
  // Workers are forked after global setup and inherit this.
  process.env[E2E_STATE_ENV] = statePath;

  return async () => {
    await harness.close();
    await bao.stop({ removeData: true });
    await rm(dir, { recursive: true, force: true });
  };
}
