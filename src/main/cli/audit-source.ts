// `vault-console audit source show|set|test` (the active profile's audit source: the
// local store or VictoriaLogs) and `vault-console audit forward -file=PATH` (Vault's
// file audit log into VictoriaLogs, batched, retried, never twice: the cursor file
// beside the local store). Credentials come from an owner-only file, never argv, and go
// to the keychain; they are never printed.
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AppError } from '../../shared/errors';
import { AuditSourceInputSchema, type AuditSourceInput } from '../../shared/contracts/audit-source';
import type { AuditEventSource } from '../services/audit-source/audit-source';
import { AuditSourceSettings } from '../services/audit-source/audit-source-settings';
import { LocalAuditSource } from '../services/audit-source/local-source';
import { victoriaLogsForwarder } from '../services/audit-source/forward-setup';
import { KeytarSecretStore } from '../services/keychain/keychain.keytar';
import type { SecretStore } from '../services/keychain/secret-store';
import { ProfilesService } from '../services/profiles/profiles-service';
import type { AuditRepo } from '../services/storage/audit-repo';
import { AuditSourceRepo } from '../services/storage/audit-source-repo';
import type { SqlDatabase } from '../services/storage/database';
import { ProfilesRepo } from '../services/storage/profiles-repo';
import { SettingsRepo } from '../services/storage/settings-repo';
import type { FlagSpecs, FlagValues } from './args';
import { EXIT, printJson, type CliIo } from './io';

export const SOURCE_FLAGS: FlagSpecs = {
  kind: { type: 'string', description: 'source set: local or victorialogs.', choices: ['local', 'victorialogs'] },
  url: { type: 'string', description: 'source set / forward: the VictoriaLogs URL (https://, or http:// on this machine).' },
  'ca-file': { type: 'string', description: 'source set: PEM file of the CA that signed VictoriaLogs\' certificate.' },
  stream: { type: 'string', description: 'source set / forward: this cluster\'s stream, e.g. {vault_cluster="prod-eu"}.' },
  auth: { type: 'string', description: 'source set: none, bearer, basic or header.', choices: ['none', 'bearer', 'basic', 'header'] },
  'auth-user': { type: 'string', description: 'source set: the user for basic auth.' },
  'auth-header': { type: 'string', description: 'source set: the header name for header auth.' },
  'credential-file': { type: 'string', description: 'source set: owner-only file holding the token or password (goes to the keychain).' },
  'timeout-ms': { type: 'int', min: 500, max: 120_000, description: 'source set: query timeout in ms (default 8000).' },
  file: { type: 'string', description: 'forward: Vault\'s file audit log to forward.' },
  follow: { type: 'bool', description: 'forward: keep following the file (rotation handled) until stopped.' },
  cursor: { type: 'string', description: 'forward: the cursor file (default <data-dir>/audit-forward-<hash>.cursor).' },
};

/** A keychain that is only opened when a credential is needed (offline review needs none). */
export function lazyKeychain(io: CliIo): SecretStore {
  let store: SecretStore | null = null;
  const get = () => (store ??= new KeytarSecretStore({ env: io.env }));
  return { get: (a) => get().get(a), set: (a, v) => get().set(a, v), delete: (a) => get().delete(a), check: () => get().check() };
}

export function cliAuditSources(io: CliIo, db: SqlDatabase, local: AuditRepo, secrets: SecretStore = lazyKeychain(io)): AuditSourceSettings {
  const repo = new ProfilesRepo(db);
  const profiles = new ProfilesService(repo, new SettingsRepo(db), () => new Date());
  const profileId = () => {
    if (repo.list().length === 0) throw new AppError('NOT_FOUND', 'audit source: no connection profile in this store yet (sign in once, or use the app).');
    return profiles.active().id;
  };
  return new AuditSourceSettings({ repo: new AuditSourceRepo(db), secrets, local, profileId });
}

/**
 * The active profile's audit source for a command that reads events (evidence packs,
 * incident listings), picked the way the audit commands pick it: the local store when
 * this store has no profile yet. close() ends the source's connections.
 */
export function cliProfileSource(io: CliIo, db: SqlDatabase, local: AuditRepo): { source: () => AuditEventSource; close: () => void } {
  const sources = cliAuditSources(io, db, local);
  let fallback: LocalAuditSource | undefined;
  return {
    source: () => {
      try {
        return sources.source();
      } catch (err) {
        if (err instanceof AppError && err.code === 'NOT_FOUND') return (fallback ??= new LocalAuditSource(local));
        throw err;
      }
    },
    close: () => sources.close(),
  };
}

/** A secret from a file only its owner can read (argv is visible to every local user). */
async function ownerOnlyFile(path: string): Promise<string> {
  const st = await stat(path).catch(() => null);
  if (!st || !st.isFile()) throw new AppError('BAD_INPUT', 'The credential file does not exist or is not a regular file.');
  if ((st.mode & 0o077) !== 0) throw new AppError('BAD_INPUT', 'The credential file can be read by others; chmod 600 it first.');
  const v = (await readFile(path, 'utf8')).trim();
  if (!v) throw new AppError('BAD_INPUT', 'The credential file is empty.');
  return v;
}

function str(flags: FlagValues, k: string): string | undefined {
  return typeof flags[k] === 'string' ? (flags[k] as string) : undefined;
}

export async function runAuditSource(sub: string | undefined, flags: FlagValues, io: CliIo, sources: AuditSourceSettings): Promise<number> {
  switch (sub) {
    case 'show':
    case undefined: {
      const v = await sources.view();
      const h = sources.source().health();
      if (flags.format === 'json') printJson(io, { settings: v, label: h.label });
      else {
        io.stdout.write(`source      ${h.label}\n`);
        if (v.kind === 'victorialogs') io.stdout.write(`url         ${v.url}\nstream      ${v.streamFilter || '(all streams)'}\nauth        ${v.authKind}${v.authUser ? ` (${v.authUser})` : ''}${v.authHeader ? ` (${v.authHeader})` : ''}${v.authKind !== 'none' ? (v.hasCredential ? ', credential in the keychain' : ', NO credential in the keychain') : ''}\nca          ${v.caPem ? 'custom CA' : 'system CAs'}\ntimeout     ${v.timeoutMs} ms\n`);
      }
      return EXIT.ok;
    }
    case 'set': {
      const kind = str(flags, 'kind');
      if (kind !== 'local' && kind !== 'victorialogs') throw new AppError('BAD_INPUT', 'audit source set: -kind=local or -kind=victorialogs');
      const raw: Record<string, unknown> = { kind };
      if (str(flags, 'url') !== undefined) raw.url = str(flags, 'url');
      if (str(flags, 'stream') !== undefined) raw.streamFilter = str(flags, 'stream');
      if (str(flags, 'auth') !== undefined) raw.authKind = str(flags, 'auth');
      if (str(flags, 'auth-user') !== undefined) raw.authUser = str(flags, 'auth-user');
      if (str(flags, 'auth-header') !== undefined) raw.authHeader = str(flags, 'auth-header');
      if (flags['timeout-ms'] !== undefined) raw.timeoutMs = flags['timeout-ms'];
      if (str(flags, 'ca-file')) raw.caPem = await readFile(resolve(str(flags, 'ca-file')!), 'utf8').catch(() => {
        throw new AppError('BAD_INPUT', 'audit source set: the CA file cannot be read.');
      });
      if (str(flags, 'credential-file')) raw.credential = await ownerOnlyFile(resolve(str(flags, 'credential-file')!));
      // The app's own schema and checks.
      const parsed = AuditSourceInputSchema.safeParse(raw);
      if (!parsed.success) throw new AppError('BAD_INPUT', `audit source set: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      const v = await sources.set(parsed.data as AuditSourceInput);
      io.stderr.write(`Saved. The Audit view and these commands now read ${sources.source().label}.\n`);
      if (flags.format === 'json') printJson(io, { settings: v });
      return EXIT.ok;
    }
    case 'test': {
      const h = await sources.source().check();
      if (flags.format === 'json') printJson(io, { status: h });
      else io.stdout.write(`${h.state.toUpperCase()}  ${h.label}${h.message ? `: ${h.message}` : ''}\n`);
      return h.state === 'ok' ? EXIT.ok : EXIT.error;
    }
    default:
      throw new AppError('BAD_INPUT', 'audit source: expected show, set or test');
  }
}

export async function runAuditForward(flags: FlagValues, io: CliIo, sources: AuditSourceSettings, dataDir: string, secrets: SecretStore = lazyKeychain(io)): Promise<number> {
  const file = str(flags, 'file');
  if (!file) throw new AppError('BAD_INPUT', 'audit forward: -file=PATH (Vault\'s file audit log) is required');
  const { forwarder: fwd, client, cursorPath } = victoriaLogsForwarder({
    row: sources.row(),
    secrets,
    file,
    dataDir,
    ...(str(flags, 'url') ? { url: str(flags, 'url')! } : {}),
    ...(str(flags, 'stream') !== undefined ? { stream: str(flags, 'stream')! } : {}),
    ...(str(flags, 'cursor') ? { cursorPath: str(flags, 'cursor')! } : {}),
  });
  const stop = () => void fwd.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const r = flags.follow === true ? await fwd.follow() : await fwd.runOnce();
    for (const w of r.warnings) io.stderr.write(`warning: ${w}\n`);
    if (flags.format === 'json') printJson(io, { report: r, cursor: cursorPath });
    else io.stdout.write(`${r.sent} events sent in ${r.batches} batches${r.alreadyThere ? `, ${r.alreadyThere} already there` : ''}${r.retries ? `, ${r.retries} retries` : ''}${r.pending ? `, ${r.pending} without a response (sent as pending)` : ''}; ${r.skippedLines} lines skipped; cursor ${cursorPath}\n`);
    return EXIT.ok;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await fwd.stop();
    client.close();
  }
}
