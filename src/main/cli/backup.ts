// `vault-console backup run|list|restore|verify|prune`: what a systemd timer or
// cron job runs on an ops host (docs/backups.md has the unit files). Stateless:
// the catalog is read back from the manifests in S3, so any host sees every run.
// Configuration: VAULT_ADDR, VAULT_TOKEN, VAULT_CONSOLE_BACKUP_BUCKET and friends.
import { readFileSync } from 'node:fs';
import { AppError } from '../../shared/errors';
import { backupConfigFromEnv } from '../services/backup/backup-config';
import { BackupService, type BackupProgress } from '../services/backup/backup-service';
import { connectionFromEnv } from '../services/config/app-config';
import { BackupRepo, type BackupRecord } from '../services/storage/backup-repo';
import { openDatabase } from '../services/storage/database';
import { systemClock } from '../services/time/clock';
import { createVaultClient } from '../services/vault/vault-client';
import { COMMON_FLAGS } from './args';
import type { Command } from './command';
import { connectionFor } from './cli-session';
import { clientFromEnv } from './connect';
import { EXIT, printJson, printKeyValue, progress, type CliIo } from './io';

const SUBCOMMANDS = ['run', 'list', 'restore', 'verify', 'prune'] as const;

function mb(n: number | null): string {
  return n === null ? '-' : `${(n / 1024 / 1024).toFixed(2)} MB`;
}

function printRecords(io: CliIo, rows: BackupRecord[]): void {
  const head = ['ID', 'KIND', 'STATUS', 'STARTED', 'SIZE', 'DURATION', 'BY', 'SHA-256', 'VERIFIED'];
  const lines = rows.map((r) => [r.id, r.kind, r.status, r.startedAt, mb(r.sizeBytes), r.durationMs === null ? '-' : `${(r.durationMs / 1000).toFixed(1)}s`, r.actor, r.sha256?.slice(0, 16) ?? '-', r.verifiedAt ?? '-']);
  const w = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  for (const l of [head, ...lines]) io.stdout.write(`${l.map((c, i) => c.padEnd(w[i]!)).join('  ').trimEnd()}\n`);
  for (const r of rows) if (r.status === 'failed' && r.error) io.stdout.write(`  ${r.id} failed: ${r.error}\n`);
}

export const backupCommand: Command = {
  name: 'backup',
  summary: 'Encrypted Vault backups to S3: run, list, restore, verify (restore drill), prune.',
  usage:
    'vault-console backup run [-kind=raft|logical] [-prune=false] | list | restore -id=ID -scope=raft|mount|tenant [-tenant=T] -confirm=ID [-force] | verify -scratch-address=URL [-id=ID] [-samples=N] | prune  [-format=table|json]',
  flags: {
    ...COMMON_FLAGS,
    kind: { type: 'string', choices: ['raft', 'logical'], description: 'Backup kind (default: raft when Vault uses raft storage, logical otherwise).' },
    prune: { type: 'bool', description: 'After a successful run, delete backups older than the retention (default true).' },
    id: { type: 'string', description: 'Backup id (from "backup list").' },
    scope: { type: 'string', choices: ['raft', 'mount', 'tenant'], description: 'What to restore.' },
    tenant: { type: 'string', description: 'Tenant id for -scope=tenant.' },
    confirm: { type: 'string', description: 'Type the backup id again to confirm a restore.' },
    force: { type: 'bool', description: 'Restore a snapshot taken on another cluster (snapshot-force).' },
    'scratch-address': { type: 'string', description: 'verify: the scratch OpenBao/Vault to restore into (token in VAULT_SCRATCH_TOKEN).' },
    samples: { type: 'int', min: 1, max: 50, description: 'verify: sample secrets compared (default 5).' },
  },
  async run({ flags, positionals }, io) {
    const sub = positionals[0];
    if (!sub || !(SUBCOMMANDS as readonly string[]).includes(sub)) throw new AppError('BAD_INPUT', `backup: expected one of ${SUBCOMMANDS.join(', ')}`);
    if (positionals.length > 1) throw new AppError('BAD_INPUT', `backup: unexpected argument ${JSON.stringify(positionals[1]!.slice(0, 40))}`);
    const conn = connectionFor(io, flags);
    const cfg = backupConfigFromEnv(io.env, conn.kvMount);
    const client = await clientFromEnv(io, flags, { needToken: true });
    const json = flags.format === 'json';
    const db = openDatabase(':memory:');
    const onProgress = (p: BackupProgress) => {
      if (!json) progress(io, `[backup] ${p.operation} ${p.id} ${p.phase}${p.bytes ? ` ${mb(p.bytes)}` : ''}${p.message ? `: ${p.message}` : ''}`);
    };
    let actor = 'cli';
    const service = new BackupService({ repo: new BackupRepo(db), clock: systemClock, config: async () => cfg, client: () => client, actor: () => actor, onProgress });
    try {
      if (sub === 'run') {
        const self = await client.request<{ data?: { display_name?: string } }>('GET', 'auth/token/lookup-self');
        actor = `cli:${self?.data?.display_name ?? 'token'}`;
        const rec = await service.run(typeof flags.kind === 'string' ? { kind: flags.kind as 'raft' | 'logical' } : {});
        let pruned: string[] = [];
        if (rec.status === 'completed' && flags.prune !== false) pruned = (await service.applyRetention()).deleted;
        if (json) printJson(io, { ...rec, pruned });
        else printKeyValue(io, [['ID', rec.id], ['Kind', rec.kind], ['Status', rec.status], ['Size', mb(rec.sizeBytes)], ['SHA-256', rec.sha256 ?? '-'], ['Pruned', String(pruned.length)], ...(rec.error ? ([['Error', rec.error]] as Array<[string, string]>) : [])]);
        // Non-zero so systemd's OnFailure= / cron mail raises the alarm.
        return rec.status === 'completed' ? EXIT.ok : EXIT.error;
      }
      if (sub === 'list') {
        const rows = await service.list(30, { sync: true });
        if (json) printJson(io, rows);
        else printRecords(io, rows);
        return EXIT.ok;
      }
      await service.sync();
      if (sub === 'prune') {
        const res = await service.applyRetention();
        if (json) printJson(io, res);
        else printKeyValue(io, [['Cutoff', res.cutoff], ['Deleted', res.deleted.join(', ') || 'none']]);
        return EXIT.ok;
      }
      if (sub === 'restore') {
        const id = typeof flags.id === 'string' ? flags.id : '';
        if (!id) throw new AppError('BAD_INPUT', 'backup restore: -id=ID is required');
        if (flags.confirm !== id) throw new AppError('BAD_INPUT', `backup restore: type the id again with -confirm=${id} to confirm`);
        const scope = (flags.scope as 'raft' | 'mount' | 'tenant' | undefined) ?? 'raft';
        const res = await service.restore(id, { scope, ...(typeof flags.tenant === 'string' ? { tenantId: flags.tenant } : {}), force: flags.force === true });
        if (json) printJson(io, res);
        else printKeyValue(io, [['Restored', res.id], ['Scope', res.scope], ['Bytes', String(res.bytes)], ['Secrets written', res.written === null ? '-' : String(res.written)]]);
        return EXIT.ok;
      }
      // verify: the restore drill.
      const scratchAddr = typeof flags['scratch-address'] === 'string' ? flags['scratch-address'] : '';
      const scratchToken = io.env.VAULT_SCRATCH_TOKEN?.trim();
      if (!scratchAddr || !scratchToken) throw new AppError('BAD_INPUT', 'backup verify: -scratch-address=URL and VAULT_SCRATCH_TOKEN are required');
      const keysFile = io.env.VAULT_SCRATCH_UNSEAL_KEYS_FILE;
      let unsealKeys: string[] = [];
      if (keysFile) {
        try {
          unsealKeys = readFileSync(keysFile, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
        } catch {
          throw new AppError('BAD_INPUT', `backup verify: cannot read VAULT_SCRATCH_UNSEAL_KEYS_FILE ${keysFile}`);
        }
      }
      const scratch = createVaultClient(connectionFromEnv({ ...io.env, VAULT_ADDR: scratchAddr }), scratchToken);
      try {
        const res = await service.drill(
          { scratch, unsealKeys, ...(typeof flags.samples === 'number' ? { samples: flags.samples } : {}) },
          typeof flags.id === 'string' ? flags.id : undefined,
        );
        if (json) printJson(io, res);
        else printKeyValue(io, [['Verified', res.id], ['At', res.verifiedAt], ['Samples', res.checked.join(', ')]]);
        return EXIT.ok;
      } finally {
        scratch.close();
      }
    } finally {
      client.close();
      db.close();
    }
  },
};
