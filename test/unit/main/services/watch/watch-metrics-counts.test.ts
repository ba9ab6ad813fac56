// What the audit counters count since Vault's record decides every event's action: reads
// and writes as Vault logged them; a reveal is a tenant read the console tagged "reveal", a
// rotation a KV data write tagged "rotate" or "emergency-reset". The header only sorts what
// Vault's record already shows, and a header Vault's operation contradicts sorts nothing.
import { describe, expect, it } from 'vitest';
import type { CountedEvent } from '../../../../../src/main/services/storage/watch-repo';
import { WatchMetrics } from '../../../../../src/main/services/watch/watch-metrics';

let id = 0;
const ev = (over: Partial<CountedEvent>): CountedEvent => ({ id: ++id, ts: 1_000 * id, action: 'read', secretType: 'smtp', status: 'ok', path: 'tenants/data/t-000001/smtp/main', consoleHeader: null, headerConflict: false, ...over });

async function sample(m: WatchMetrics, name: string, labels = ''): Promise<number | null> {
  const line = (await m.text()).split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ').at(-1)) : null;
}

describe('watch audit counters', () => {
  it('counts reads, reveals, failed logins and rotations from Vault’s record, sorted by the console’s tag', async () => {
    const m = new WatchMetrics('test');
    m.auditBatch(
      [
        ev({}),
        ev({ consoleHeader: 'action=reveal;req=vc-1' }),
        ev({ consoleHeader: 'action=reveal;req=vc-2', status: 'denied' }),
        ev({ action: 'failed-login', secretType: 'none', path: 'auth/userpass/login/bob' }),
        ev({ action: 'write', secretType: 'ssh', path: 'tenants/data/t-000001/ssh/admin', consoleHeader: 'action=rotate;req=vc-3' }),
        // The same rotation's metadata write is not a second rotation.
        ev({ action: 'write-metadata', secretType: 'ssh', path: 'tenants/metadata/t-000001/ssh/admin', consoleHeader: 'action=rotate;req=vc-3' }),
        ev({ action: 'write', secretType: 'dkim', path: 'tenants/data/t-000001/dkim/example.com', consoleHeader: 'action=emergency-reset;req=vc-4', status: 'denied' }),
        // A write nobody tagged is a write, not a rotation.
        ev({ action: 'write', secretType: 'smtp', path: 'tenants/data/t-000001/smtp/main' }),
      ],
      'tenants',
    );
    expect(await sample(m, 'vault_console_secret_reads_total', 'type="smtp"')).toBe(3);
    expect(await sample(m, 'vault_console_reveals_total')).toBe(1);
    expect(await sample(m, 'vault_console_failed_logins_total')).toBe(1);
    expect(await sample(m, 'vault_console_rotations_total', 'type="ssh",outcome="success"')).toBe(1);
    expect(await sample(m, 'vault_console_rotations_total', 'type="dkim",outcome="denied"')).toBe(1);
    expect(await sample(m, 'vault_console_rotations_total', 'type="smtp",outcome="success"')).toBe(0);
    expect(await sample(m, 'vault_console_audit_events_total', 'action="write"')).toBe(3);
  });

  it('a header that Vault’s operation contradicts, or that names no console action, sorts nothing', async () => {
    const m = new WatchMetrics('test');
    m.auditBatch(
      [
        // A read claiming to be a rotation (the mapping flags the conflict).
        ev({ consoleHeader: 'action=rotate;req=vc-5', headerConflict: true }),
        ev({ action: 'write', secretType: 'ssh', path: 'tenants/data/t-000001/ssh/admin', consoleHeader: 'action=reveal;req=vc-6', headerConflict: true }),
        ev({ consoleHeader: 'action=revealx' }),
      ],
      'tenants',
    );
    expect(await sample(m, 'vault_console_secret_reads_total', 'type="smtp"')).toBe(2);
    expect(await sample(m, 'vault_console_reveals_total')).toBe(0);
    expect(await sample(m, 'vault_console_rotations_total', 'type="ssh",outcome="success"')).toBe(0);
  });
});
