// The same audit log loaded into both sources: the local SQLite store (the importer) and
// a real VictoriaLogs (the forwarder), for tests that compare what each answers.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importAuditFile } from '../../../src/main/services/audit/audit-importer';
import { LocalAuditSource } from '../../../src/main/services/audit-source/local-source';
import { eventIdOf } from '../../../src/main/services/audit-source/event-fields';
import { AuditForwarder, victoriaLogsSink } from '../../../src/main/services/audit-source/forwarder';
import { LogsqlClient } from '../../../src/main/services/audit-source/logsql-client';
import { VictoriaLogsAuditSource } from '../../../src/main/services/audit-source/victorialogs-source';
import { createLogger } from '../../../src/main/services/log/logger';
import { AuditRepo } from '../../../src/main/services/storage/audit-repo';
import { openDatabase } from '../../../src/main/services/storage/database';
import type { VictoriaLogsInstance } from '../../services/victorialogs/victorialogs';

export const FIXTURES = join(__dirname, '../../fixtures/audit');
export const STREAM = { vault_cluster: 'test-cluster' };

export function vlClient(url: string, opts: { timeoutMs?: number; auth?: Record<string, string> } = {}): LogsqlClient {
  return new LogsqlClient({ url, authHeader: async () => opts.auth ?? {}, timeoutMs: opts.timeoutMs ?? 15_000 });
}

export async function forwardFile(vl: VictoriaLogsInstance, file: string, cursorDir: string, stream = STREAM, auth?: Record<string, string>) {
  const client = vlClient(vl.url, auth ? { auth } : {});
  const fwd = new AuditForwarder({ file, cursorPath: join(cursorDir, `${file.split('/').pop()}.cursor`), sink: victoriaLogsSink(client, stream), stream, log: createLogger('forward'), batchEvents: 500 });
  const report = await fwd.runOnce();
  await fwd.stop();
  client.close();
  return report;
}

export async function loadBoth(vl: VictoriaLogsInstance, files: readonly string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'vc-both-sources-'));
  const repo = new AuditRepo(openDatabase(join(dir, 'db.sqlite')));
  for (const f of files) {
    await importAuditFile(repo, f);
    await forwardFile(vl, f, dir);
  }
  await vl.flush();
  const client = vlClient(vl.url);
  return { dir, repo, local: new LocalAuditSource(repo), remote: new VictoriaLogsAuditSource({ client, stream: STREAM }), client };
}

/** An event line as the forwarder writes it (event-fields.ts): alice's successful read of t-000001/ssh/admin; `extra` replaces any field. */
export function eventLine(key: string, ts: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const path = 'tenants/data/t-000001/ssh/admin';
  return { ...STREAM, _time: new Date(ts).toISOString(), _msg: path, key, id: eventIdOf(key), ts, action: 'read', tenant: 't-000001', user: 'alice', secret_type: 'ssh', status: 'ok', path, source: 'vault', hour: new Date(ts).getUTCHours(), housekeeping: '0', ...extra };
}

/** Posts lines (objects or JSON text) to VictoriaLogs' JSON-lines insert endpoint, as the forwarder or anyone else could. */
export async function postLines(vl: VictoriaLogsInstance, lines: readonly (object | string)[], streamFields = 'vault_cluster'): Promise<void> {
  const client = vlClient(vl.url);
  try {
    await client.ingest(`${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`, { _time_field: '_time', _msg_field: '_msg', _stream_fields: streamFields });
  } finally {
    client.close();
  }
}

/** After a test posted its lines: flushed, and a source over the test stream. */
export async function flushedSource(vl: VictoriaLogsInstance): Promise<VictoriaLogsAuditSource> {
  await vl.flush();
  return new VictoriaLogsAuditSource({ client: vlClient(vl.url), stream: STREAM });
}

/** For afterAll: the source closed, VictoriaLogs stopped (either may never have started). */
export async function stopBoth(vl: VictoriaLogsInstance | undefined, source: VictoriaLogsAuditSource | undefined): Promise<void> {
  source?.close();
  await vl?.stop();
}

/** A session nobody is signed in to (the alerts then read nothing back from Vault). */
export const SIGNED_OUT_SESSION = {
  info: () => ({ signedIn: false }) as never,
  requireClient: (): never => {
    throw new Error('not signed in');
  },
};

/** VictoriaLogs' basic auth header for the test user "auditor". */
export function basicAuth(password: string): { authorization: string } {
  return { authorization: `Basic ${Buffer.from(`auditor:${password}`).toString('base64')}` };
}
