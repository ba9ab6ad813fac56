// One AuditForwarder to a profile's VictoriaLogs, built the same way for `audit forward`
// and for `vault-console watch -forward-victorialogs`: the profile's URL, CA, stream and
// auth (the credential read from the keychain per request), a cursor file per (file, URL,
// stream) in the caller's data dir, so two runs for the same target share one cursor
// (never twice) and another target gets its own.
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { AppError } from '../../../shared/errors';
import type { SecretStore } from '../keychain/secret-store';
import { createLogger } from '../log/logger';
import type { AuditSourceRow } from '../storage/audit-source-repo';
import { authHeaderOf, credentialAccount } from './audit-source-settings';
import { AuditForwarder, victoriaLogsSink } from './forwarder';
import { parseStreamFilter } from './logsql';
import { LogsqlClient } from './logsql-client';

export interface ForwarderSetup {
  forwarder: AuditForwarder;
  client: LogsqlClient;
  cursorPath: string;
}

export function victoriaLogsForwarder(o: {
  row: AuditSourceRow;
  secrets: SecretStore;
  /** Vault's file audit log. */
  file: string;
  /** Where the cursor file goes (unless cursorPath names it). */
  dataDir: string;
  /** Overrides of the profile's URL and stream filter (audit forward's flags). */
  url?: string;
  stream?: string;
  cursorPath?: string;
}): ForwarderSetup {
  const url = o.url ?? (o.row.kind === 'victorialogs' ? o.row.url : null);
  if (!url) throw new AppError('BAD_INPUT', 'no VictoriaLogs URL: the profile\'s audit source is the local store (audit source set -kind=victorialogs -url=…)');
  const stream = parseStreamFilter(o.stream ?? o.row.streamFilter);
  const row = o.row;
  const client = new LogsqlClient({
    url,
    caPem: row.caPem,
    // Inserts of a whole batch take longer than a query: at least 30 s.
    timeoutMs: Math.max(row.timeoutMs, 30_000),
    authHeader: async () => authHeaderOf(row, row.authKind === 'none' ? null : await o.secrets.get(credentialAccount(row.profileId))),
  });
  const path = resolve(o.file);
  const cursorPath = resolve(o.cursorPath ?? join(o.dataDir, `audit-forward-${createHash('sha256').update(`${path}|${url}|${JSON.stringify(stream)}`).digest('hex').slice(0, 16)}.cursor`));
  const forwarder = new AuditForwarder({ file: path, cursorPath, sink: victoriaLogsSink(client, stream), stream, log: createLogger('forward') });
  return { forwarder, client, cursorPath };
}
