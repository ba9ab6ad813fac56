// Each connection profile's audit source: the settings row (migration 16) plus the
// credential in the OS keychain (account audit-source:<profile id>), and the source
// built from them. The credential is read per request, never kept in a field, never
// returned to the renderer, never in an error.
import { validateHeaderName, validateHeaderValue } from 'node:http';
import type { AuditSourceInput, AuditSourceSettingsView } from '../../../shared/contracts/audit-source';
import { AppError } from '../../../shared/errors';
import type { SecretStore } from '../keychain/secret-store';
import type { AuditRepo } from '../storage/audit-repo';
import type { AuditSourceRepo, AuditSourceRow } from '../storage/audit-source-repo';
import type { AuditEventSource } from './audit-source';
import { LocalAuditSource } from './local-source';
import { parseStreamFilter } from './logsql';
import { checkSourceUrl, LogsqlClient } from './logsql-client';
import { VictoriaLogsAuditSource } from './victorialogs-source';

export const DEFAULT_SOURCE_TIMEOUT_MS = 8_000;

export function credentialAccount(profileId: string): string {
  return `audit-source:${profileId}`;
}

/** The HTTP auth header for a stored credential (bearer token, basic password, or a named header's value). */
export function authHeaderOf(row: Pick<AuditSourceRow, 'authKind' | 'authUser' | 'authHeader'>, credential: string | null): Record<string, string> {
  if (row.authKind === 'none') return {};
  if (!credential) throw new AppError('UNAUTHENTICATED', 'The audit source needs a credential and the keychain has none for this profile; set it again (audit source set).');
  if (row.authKind === 'bearer') return { authorization: `Bearer ${credential}` };
  if (row.authKind === 'basic') return { authorization: `Basic ${Buffer.from(`${row.authUser ?? ''}:${credential}`).toString('base64')}` };
  return { [row.authHeader!.toLowerCase()]: credential };
}

/** The credential must fit in an HTTP header (Node refuses the request otherwise); it is never quoted back. */
function checkCredential(row: Pick<AuditSourceRow, 'authKind' | 'authUser' | 'authHeader'>, credential: string): void {
  for (const [name, value] of Object.entries(authHeaderOf(row, credential))) {
    try {
      validateHeaderValue(name, value);
    } catch {
      throw new AppError('BAD_INPUT', 'The token or password holds a character an HTTP header cannot carry (a line break, a control character or one beyond Latin-1); nothing was saved.');
    }
  }
}

function checkCa(pem: string): void {
  if (!/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(pem)) throw new AppError('BAD_INPUT', 'The CA must be PEM (-----BEGIN CERTIFICATE----- …).');
}

export class AuditSourceSettings {
  private cached: { profileId: string; updatedAt: string; source: AuditEventSource } | null = null;
  private localSource: LocalAuditSource;

  constructor(
    private readonly deps: {
      repo: AuditSourceRepo;
      secrets: SecretStore;
      local: AuditRepo;
      profileId: () => string;
      now?: () => Date;
    },
  ) {
    this.localSource = new LocalAuditSource(deps.local);
  }

  row(profileId = this.deps.profileId()): AuditSourceRow {
    return (
      this.deps.repo.get(profileId) ?? { profileId, kind: 'local', url: null, caPem: null, streamFilter: '', authKind: 'none', authUser: null, authHeader: null, timeoutMs: DEFAULT_SOURCE_TIMEOUT_MS, updatedAt: '' }
    );
  }

  async view(profileId = this.deps.profileId()): Promise<AuditSourceSettingsView> {
    const r = this.row(profileId);
    const hasCredential = r.authKind !== 'none' && (await this.deps.secrets.get(credentialAccount(profileId)).catch(() => null)) !== null;
    return { kind: r.kind, url: r.url, caPem: r.caPem, streamFilter: r.streamFilter, authKind: r.authKind, authUser: r.authUser, authHeader: r.authHeader, hasCredential, timeoutMs: r.timeoutMs };
  }

  /** Validates everything before anything is stored; a bad input changes nothing. */
  async set(input: AuditSourceInput, profileId = this.deps.profileId()): Promise<AuditSourceSettingsView> {
    const prev = this.row(profileId);
    const next: AuditSourceRow = {
      profileId,
      kind: input.kind,
      url: input.url !== undefined ? input.url || null : prev.url,
      caPem: input.caPem !== undefined ? input.caPem || null : prev.caPem,
      streamFilter: input.streamFilter ?? prev.streamFilter,
      authKind: input.authKind ?? prev.authKind,
      authUser: input.authUser !== undefined ? input.authUser || null : prev.authUser,
      authHeader: input.authHeader !== undefined ? input.authHeader || null : prev.authHeader,
      timeoutMs: input.timeoutMs ?? prev.timeoutMs,
      updatedAt: (this.deps.now?.() ?? new Date()).toISOString(),
    };
    if (next.kind === 'victorialogs') {
      if (!next.url) throw new AppError('BAD_INPUT', 'A VictoriaLogs source needs its URL (https://logs.example:9428).');
      checkSourceUrl(next.url);
      parseStreamFilter(next.streamFilter);
      if (next.caPem) checkCa(next.caPem);
      if (next.authKind === 'basic' && !next.authUser) throw new AppError('BAD_INPUT', 'Basic auth needs the user name (the password goes to the keychain).');
      if (next.authKind === 'header' && !next.authHeader) throw new AppError('BAD_INPUT', 'Header auth needs the header name (its value goes to the keychain).');
      if (next.authKind === 'header' && ['host', 'content-type', 'content-length', 'accept'].includes(next.authHeader!.toLowerCase())) throw new AppError('BAD_INPUT', 'That header cannot carry a credential.');
      if (next.authKind === 'basic' && next.authUser!.includes(':')) throw new AppError('BAD_INPUT', 'A basic auth user name cannot hold a colon.');
      if (next.authKind === 'header') {
        try {
          validateHeaderName(next.authHeader!);
        } catch {
          throw new AppError('BAD_INPUT', 'The header name may hold letters, digits and ! # $ % & \' * + - . ^ _ ` | ~ only.');
        }
      }
      if (next.authKind !== 'none' && input.credential) checkCredential(next, input.credential);
      if (next.authKind !== 'none' && !input.credential && (await this.deps.secrets.get(credentialAccount(profileId)).catch(() => null)) === null) {
        throw new AppError('BAD_INPUT', 'Give the token or password for this auth setting (it goes to the keychain).');
      }
    }
    if (input.credential) await this.deps.secrets.set(credentialAccount(profileId), input.credential);
    this.deps.repo.put(next);
    if (next.authKind === 'none' || next.kind === 'local') await this.deps.secrets.delete(credentialAccount(profileId)).catch(() => false);
    return this.view(profileId);
  }

  /** The active profile's source (rebuilt when its settings change). */
  source(): AuditEventSource {
    const profileId = this.deps.profileId();
    const r = this.row(profileId);
    if (r.kind === 'local' || !r.url) return this.localSource;
    if (this.cached && this.cached.profileId === profileId && this.cached.updatedAt === r.updatedAt) return this.cached.source;
    this.cached?.source.close();
    const client = new LogsqlClient({
      url: r.url,
      caPem: r.caPem,
      timeoutMs: r.timeoutMs,
      authHeader: async () => authHeaderOf(r, r.authKind === 'none' ? null : await this.deps.secrets.get(credentialAccount(profileId))),
    });
    const source = new VictoriaLogsAuditSource({ client, stream: parseStreamFilter(r.streamFilter) });
    this.cached = { profileId, updatedAt: r.updatedAt, source };
    return source;
  }

  close(): void {
    this.cached?.source.close();
    this.cached = null;
  }
}
