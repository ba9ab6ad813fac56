import type { BackupView } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import type { Services } from '../services/container';
import type { BackupRecord } from '../services/storage/backup-repo';
import { createVaultClient, type VaultClient } from '../services/vault/vault-client';
import type { Handlers } from './types';

type BackupChannels =
  | 'backup:list'
  | 'backup:run'
  | 'backup:cancel'
  | 'backup:restore'
  | 'backup:apply-retention'
  | 'backup:policy'
  | 'backup:settings'
  | 'backup:configure';

function view(r: BackupRecord): BackupView {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    durationMs: r.durationMs,
    sizeBytes: r.sizeBytes,
    sha256: r.sha256,
    objectKey: r.objectKey,
    actor: r.actor,
    mount: r.mount,
    itemCount: r.itemCount,
    error: r.error,
    verifiedAt: r.verifiedAt,
  };
}

type Reauth = { method: 'userpass'; username: string; password: string } | { method: 'token'; token: string };

/** A client for this restore only, from credentials typed again; the password is used once here and dropped. */
async function reauthenticate(services: Services, reauth: Reauth): Promise<{ client: VaultClient; revoke: boolean }> {
  const client = createVaultClient(services.connection());
  try {
    if (reauth.method === 'userpass') {
      const res = await client.request<{ auth?: { client_token?: string } }>('POST', `auth/userpass/login/${encodeURIComponent(reauth.username)}`, { password: reauth.password });
      const token = res?.auth?.client_token;
      if (!token) throw new AppError('UNAUTHENTICATED', 'Re-authentication failed.');
      client.setToken(token);
      return { client, revoke: true };
    }
    client.setToken(reauth.token);
    await client.request('GET', 'auth/token/lookup-self');
    return { client, revoke: false };
  } catch (err) {
    client.close();
    if (err instanceof AppError && (err.code === 'PERMISSION_DENIED' || err.code === 'UNAUTHENTICATED' || err.code === 'VAULT_ERROR')) {
      throw new AppError('UNAUTHENTICATED', 'Re-authentication failed: check the credentials; nothing was restored.');
    }
    throw err;
  }
}

export function backupHandlers(services: Services): Pick<Handlers, BackupChannels> {
  const { backup, backupSettings } = services;
  return {
    'backup:list': async () => ({ backups: (await backup.list(30)).map(view) }),
    'backup:run': async ({ kind }) => {
      services.session.requireClient();
      return view(await backup.run(kind ? { kind } : {}));
    },
    'backup:cancel': async () => ({ cancelled: backup.cancel() }),
    'backup:restore': async ({ id, scope, tenantId, confirm, reauth }) => {
      services.session.requireClient();
      // Typed confirmation: the user must type the id of the point they restore.
      if (confirm.trim() !== id) throw new AppError('BAD_INPUT', `Type the backup id ${id} to confirm the restore.`);
      if (scope === 'raft' && !reauth) throw new AppError('UNAUTHENTICATED', 'A snapshot restore replaces all of Vault: re-authenticate to continue.');
      const fresh = reauth ? await reauthenticate(services, reauth) : null;
      try {
        return await backup.restore(id, { scope, ...(tenantId ? { tenantId } : {}), ...(fresh ? { client: fresh.client } : {}) });
      } finally {
        if (fresh?.revoke) await fresh.client.request('POST', 'auth/token/revoke-self').catch(() => undefined);
        fresh?.client.close();
      }
    },
    'backup:apply-retention': async () => {
      services.session.requireClient();
      return backup.applyRetention();
    },
    'backup:policy': async () => {
      const p = await backup.lifecycle();
      const st = await backup.status().catch(() => null);
      const verified = services.backupRepo.lastVerified();
      return {
        retentionDays: p.retentionDays,
        versioning: p.versioning,
        lifecycleRules: p.rules,
        lastVerifiedAt: st?.lastVerifiedAt ? st.lastVerifiedAt.toISOString() : null,
        lastVerifiedId: verified?.id ?? null,
      };
    },
    'backup:settings': async () => backupSettings.summary(),
    'backup:configure': async (input) => {
      // Security: where every backup of Vault goes is decided by a signed-in identity that
      // Vault allows to make backups: update on the transit key that wraps their data keys.
      const client = services.session.requireClient();
      const path = backupSettings.transitEncryptPath(input);
      const res = await client.request<Record<string, unknown>>('POST', 'sys/capabilities-self', { paths: [path] });
      const raw = res[path] ?? (res.data as Record<string, unknown> | undefined)?.[path];
      const caps = Array.isArray(raw) ? raw.map(String) : [];
      if (!caps.includes('root') && !caps.includes('update')) {
        throw new AppError('PERMISSION_DENIED', `Configuring backups needs update on ${path} (the key that wraps every backup's data key); your policies do not grant it.`);
      }
      return backupSettings.save(input);
    },
  };
}
