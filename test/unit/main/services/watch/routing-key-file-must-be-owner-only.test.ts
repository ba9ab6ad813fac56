// Security: the PagerDuty routing key file is refused unless only its owner can read
// and write it (whatever the path: a symlink to an open file is judged by the file),
// and no message ever repeats any part of its content.
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRoutingKeyFile } from '../../../../../src/main/services/watch/routing-key';

const KEY = 'R0ut1ngK3yR0ut1ngK3yR0ut1ngK3y42';
const dir = mkdtempSync(join(tmpdir(), 'vc-rk-'));

function keyFile(name: string, mode: number, content = `${KEY}\n`): string {
  const p = join(dir, name);
  writeFileSync(p, content, { mode });
  chmodSync(p, mode);
  return p;
}

async function refusal(p: string): Promise<string> {
  try {
    await readRoutingKeyFile(p);
  } catch (err) {
    const msg = (err as Error).message;
    expect(msg).not.toContain(KEY);
    expect(msg).not.toContain(KEY.slice(0, 8));
    return msg;
  }
  throw new Error(`${p} was accepted`);
}

describe('routing key file: owner-only', () => {
  it('accepts 0600 and 0400 and trims the newline', async () => {
    expect(await readRoutingKeyFile(keyFile('a.key', 0o600))).toBe(KEY);
    expect(await readRoutingKeyFile(keyFile('b.key', 0o400))).toBe(KEY);
  });

  for (const mode of [0o640, 0o644, 0o604, 0o660, 0o602, 0o620, 0o666, 0o610]) {
    it(`refuses mode ${mode.toString(8).padStart(4, '0')} and says how to fix it`, async () => {
      const msg = await refusal(keyFile(`m${mode.toString(8)}.key`, mode));
      expect(msg).toContain(`mode ${mode.toString(8).padStart(4, '0')}`);
      expect(msg).toContain('chmod 600');
    });
  }

  it('judges the file a symlink points to, not the link', async () => {
    const target = keyFile('open-target.key', 0o644);
    const link = join(dir, 'link.key');
    symlinkSync(target, link);
    expect(await refusal(link)).toMatch(/group or others/);
  });

  it('refuses a directory, a missing file and content that is not a key, without quoting the content', async () => {
    const d = join(dir, 'd');
    mkdirSync(d, { mode: 0o700 });
    expect(await refusal(d)).toMatch(/not a regular file/);
    expect(await refusal(join(dir, 'missing.key'))).toMatch(/ENOENT/);
    const msg = await refusal(keyFile('prose.key', 0o600, `my key is ${KEY} ok\n`));
    expect(msg).toMatch(/does not hold a routing key/);
    expect(await refusal(keyFile('huge.key', 0o600, 'A'.repeat(10_000)))).toMatch(/too large/);
  });
});
