// `vault-console status`: seal status without a token, like `vault status`, plus the
// dashboard's cards: active node, storage, backup age, audit devices.
// Without a token only what Vault answers unauthenticated is judged (seal, leader);
// with VAULT_TOKEN or a `vault-console login` session, every card is.
// Exit 0 when every judged card is green, 2 when any is not (sealed included),
// 1 unreachable or error.
import { AppError } from '../../shared/errors';
import { defaultBackupStatusSource } from '../services/health/backup-status';
import { HealthService, storageName } from '../services/health/health-service';
import { systemClock } from '../services/time/clock';
import { createVaultClient } from '../services/vault/vault-client';
import { COMMON_FLAGS } from './args';
import { connectionFor, openCliSession } from './cli-session';
import type { Command } from './command';
import { EXIT, printJson, printKeyValue } from './io';

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show seal status, active node, storage, backup age and audit devices; exit 2 if anything is not green.',
  usage: 'vault-console status [-format=table|json] [-address=URL]',
  flags: { ...COMMON_FLAGS },
  async run({ flags, positionals }, io) {
    if (positionals.length > 0) throw new AppError('BAD_INPUT', `status: unexpected argument ${JSON.stringify(positionals[0]!.slice(0, 40))}`);
    const conn = connectionFor(io, flags);
    // No token: the seal status is public (a client never picks one up from the environment).
    const anon = createVaultClient(conn);
    const cli = await openCliSession(io, conn, { optional: true });
    try {
      const health = new HealthService({ vault: () => anon, session: cli.session, backup: defaultBackupStatusSource(), clock: systemClock });
      const snap = await health.snapshot();
      const s = snap.status;
      if (!s.reachable) throw new AppError('VAULT_UNREACHABLE', s.error ?? `Vault at ${s.address} is unreachable.`);
      const full = snap.signedIn;
      const judged = full
        ? snap.overall
        : s.sealed || !s.initialized
          ? 'red'
          : snap.node.tone;
      if (flags.format === 'json') {
        printJson(io, {
          address: s.address,
          initialized: s.initialized,
          sealed: s.sealed,
          standby: s.standby,
          version: s.version,
          cluster_name: s.clusterName,
          cluster_id: s.clusterId,
          t: s.unseal.threshold,
          n: s.unseal.shares,
          progress: s.unseal.progress,
          checked_at: s.checkedAt,
          signed_in: full,
          token_source: cli.source,
          leader_address: snap.node.leaderAddress,
          ha_nodes: snap.node.nodes.map((n) => ({ api_address: n.apiAddress, active: n.active })),
          storage_type: snap.storage.type,
          storage: { tone: snap.storage.tone, label: snap.storage.label, method: snap.storage.method, canary_latency_ms: snap.storage.canaryLatencyMs },
          last_backup: { tone: snap.backup.lastBackup.tone, at: snap.backup.lastBackup.at, age_hours: snap.backup.lastBackup.ageHours },
          backup_health: { tone: snap.backup.health.tone, label: snap.backup.health.label },
          audit_devices: full ? snap.audit.devices.map((d) => d.path) : null,
          overall: judged,
        });
      } else {
        const rows: Array<[string, string]> = [
          ['Address', s.address],
          ['Initialized', String(s.initialized)],
          ['Sealed', String(s.sealed)],
          ['Total Shares', String(s.unseal.shares)],
          ['Threshold', String(s.unseal.threshold)],
        ];
        if (s.sealed) rows.push(['Unseal Progress', `${s.unseal.progress}/${s.unseal.threshold}`]);
        rows.push(['Version', s.version]);
        if (!s.sealed) {
          rows.push(['Cluster Name', s.clusterName || 'n/a'], ['Cluster ID', s.clusterId || 'n/a'], ['HA Mode', s.standby ? 'standby' : 'active']);
          rows.push(['Active Node', `${snap.node.label} [${snap.node.tone}]`]);
          for (const n of snap.node.nodes) rows.push(['HA Node', `${n.apiAddress} (${n.active ? 'active' : 'standby'})`]);
        }
        rows.push(['Storage', full ? `${snap.storage.label} [${snap.storage.tone}]` : storageName(snap.storage.type)]);
        if (full) {
          rows.push(
            ['Last Backup', `${snap.backup.lastBackup.label} [${snap.backup.lastBackup.tone}]`],
            ['Backup Health', `${snap.backup.health.label} [${snap.backup.health.tone}]`],
            ['Audit Devices', `${snap.audit.label} [${snap.audit.tone}]`],
          );
        }
        rows.push(['Overall', judged]);
        printKeyValue(io, rows);
        if (!full) io.stderr.write(`Not signed in (${cli.problem ?? 'no VAULT_TOKEN and no saved login'}): storage health, backups and audit devices were not checked. Run "vault-console login" for more.\n`);
      }
      return judged === 'green' ? EXIT.ok : EXIT.sealed;
    } finally {
      cli.dispose();
      anon.close();
    }
  },
};
