// Attack: read every secret without one KV read. The console's backups are encrypted
// with a data key wrapped by transit; whoever holds a backup (S3) and can decrypt that
// data key reads every secret in it. Plaintext out of transit (decrypt, plaintext data
// keys, key export) is its own action and a yellow alert per identity and key.
// Real OpenBao 2.4 log: fixtures/audit/openbao-2.4-adversary.jsonl, section I16.
import { beforeAll, describe, expect, it } from 'vitest';
import { allEvents, loadAdversary, type Loaded } from './adversary';

let l: Loaded;
beforeAll(async () => {
  l = await loadAdversary();
});

describe('decrypting the backup data key', () => {
  it('is a "decrypt" by the identity that asked; making the wrapped key is not', () => {
    const d = allEvents(l.audit).find((e) => e.path === 'transit/decrypt/vault-console-backup')!;
    expect(d).toMatchObject({ action: 'decrypt', user: 'admin', ip: '127.0.7.1', status: 'ok', mount: 'transit/' });
    expect(allEvents(l.audit).find((e) => e.path === 'transit/datakey/wrapped/vault-console-backup')!.action).toBe('other');
  });

  it('raises a yellow alert naming the key', async () => {
    const a = (await l.audit.alerts({})).alerts.find((x) => x.kind === 'key-decrypt')!;
    expect(a).toMatchObject({ severity: 'yellow', subject: 'admin', eventCount: 1 });
    expect(a.title).toBe('1 decrypt with transit key transit/vault-console-backup by admin');
  });
});
