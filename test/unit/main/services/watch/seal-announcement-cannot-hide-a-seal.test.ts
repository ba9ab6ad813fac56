// Security: what may turn a sealed Vault's page from critical into info (or silence it)
// is only Vault's own audit record of a successful write to <watch-mount>/data/
// seal-intents/<incident-id>, shortly before the seal, not yet used for an earlier seal.
// A denied write, an old one, one in another mount, a look-alike path or a malformed
// incident id does not count.
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../../../src/main/services/audit/audit-record';
import { AuditRepo } from '../../../../../src/main/services/storage/audit-repo';
import { openDatabase } from '../../../../../src/main/services/storage/database';
import { WatchRepo } from '../../../../../src/main/services/storage/watch-repo';
import { checkIncidentId, findSealIntent } from '../../../../../src/main/services/watch/seal-intent';

const SEEN = Date.UTC(2026, 11, 4, 12, 0, 0);
const WINDOW = 600_000;
let n = 0;

function write(path: string, ts: number, over: Partial<AuditRecord> = {}): AuditRecord {
  n++;
  return { key: `v:${n}`, ts, action: 'write', tenant: null, user: 'alice', secretType: 'none', ip: '10.0.0.1', status: 'ok', path, source: 'vault', requestId: `r${n}`, approvalId: null, error: null, operation: 'update', mount: 'tenants-watch/', entityId: null, consoleHeader: null, headerConflict: false, ...over };
}

function store(...recs: AuditRecord[]): WatchRepo {
  const db = openDatabase(':memory:');
  new AuditRepo(db).insertMany(recs);
  return new WatchRepo(db);
}

describe('a seal announcement cannot hide an unexpected seal', () => {
  it('a successful write just before the seal names the incident and who announced it', () => {
    const repo = store(write('tenants-watch/data/seal-intents/INC-2026-0042', SEEN - 5_000));
    expect(findSealIntent(repo, 'tenants-watch', SEEN, WINDOW)).toEqual({ incidentId: 'INC-2026-0042', user: 'alice', at: SEEN - 5_000 });
  });

  it('a denied or failed write does not count', () => {
    expect(findSealIntent(store(write('tenants-watch/data/seal-intents/INC-1', SEEN - 5_000, { status: 'denied' })), 'tenants-watch', SEEN, WINDOW)).toBeNull();
    expect(findSealIntent(store(write('tenants-watch/data/seal-intents/INC-1', SEEN - 5_000, { status: 'error' })), 'tenants-watch', SEEN, WINDOW)).toBeNull();
  });

  it('an announcement older than the window does not count', () => {
    expect(findSealIntent(store(write('tenants-watch/data/seal-intents/INC-1', SEEN - WINDOW - 1)), 'tenants-watch', SEEN, WINDOW)).toBeNull();
  });

  it('another mount, a look-alike folder, a LIKE wildcard or a nested path does not count', () => {
    const repo = store(
      write('tenants/data/seal-intents/INC-1', SEEN - 1_000),
      write('tenants-watch/data/seal-intents-old/INC-2', SEEN - 1_000),
      write('tenants_watch/data/seal-intents/INC-3', SEEN - 1_000),
      write('tenants-watch/data/seal-intents/a/b', SEEN - 1_000),
      write('tenants-watch/data/seal-intents/../../sys', SEEN - 1_000),
    );
    expect(findSealIntent(repo, 'tenants-watch', SEEN, WINDOW)).toBeNull();
    // A mount name with LIKE's own wildcards matches itself only.
    expect(findSealIntent(store(write('opsXw/data/seal-intents/INC-9', SEEN - 1_000), write('ops%w/data/seal-intents/INC-8', SEEN - 1_000)), 'ops_w', SEEN, WINDOW)).toBeNull();
    expect(findSealIntent(store(write('ops_w/data/seal-intents/INC-7', SEEN - 1_000)), 'ops_w', SEEN, WINDOW)?.incidentId).toBe('INC-7');
  });

  it('an announcement explains one seal: once used, the next seal needs a new one', () => {
    const repo = store(write('tenants-watch/data/seal-intents/INC-1', SEEN - 60_000));
    const first = findSealIntent(repo, 'tenants-watch', SEEN, WINDOW)!;
    expect(first.incidentId).toBe('INC-1');
    expect(findSealIntent(repo, 'tenants-watch', SEEN + 120_000, WINDOW, first.at)).toBeNull();
  });

  it('incident ids are short and plain (they become a Vault path)', () => {
    expect(checkIncidentId(' INC-2026-0042 ')).toBe('INC-2026-0042');
    for (const bad of ['', '../x', 'a/b', 'x'.repeat(65), 'INC 1', '.hidden']) expect(() => checkIncidentId(bad), bad).toThrow(/incident ID/);
  });
});
