// Security regression (issue 13, item 16): the logger's redaction used a lookbehind with
// unbounded whitespace and a lazy key-block pattern; 40,000 spaces took 2.8 s, a megabyte
// of someone else's text (an audit line, a Vault error body) would stall the main process
// for minutes: a denial of service through the log. Every pattern is now linear. The one
// timing bound here is the (1 MB in < 50 ms); measured on this machine the shapes
// below take 1-5 ms, and the old patterns take minutes, so the bound separates the two
// with a wide margin either way.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redact } from '../../../../../src/main/services/log/logger';

const ROOT = join(__dirname, '..', '..', '..', '..', '..');

// The inputs that made the old patterns backtrack: long runs after a field name, key
// blocks that never end, prefixes that almost match. Built in the child from these recipes.
const SHAPES: Record<string, { unit: string; prefix?: string }> = {
  'a megabyte of spaces': { unit: ' ' },
  'a field name then spaces': { prefix: 'password', unit: ' ' },
  'field names between runs of spaces': { unit: 'token      ' },
  'BEGIN markers without an END': { unit: '-----BEGIN PRIVATE KEY-----' },
  'almost-BEGIN markers': { unit: '-----BEGIN AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
  'quoted names and separators': { unit: `"key"  :  '` },
  'almost-tokens': { unit: 'hvs.short ' },
  'newlines after a name': { prefix: 'secret', unit: '\n' },
};

// Runs in a child process: a pattern that backtracks blocks its thread for minutes, and a
// child can be killed where the test's own thread could not be interrupted.
const CHILD = `
import { redact } from ${JSON.stringify(join(ROOT, 'src/main/services/log/logger.ts'))};
const shapes = JSON.parse(process.argv[1]);
const MB = 1 << 20;
const out = {};
for (const [name, { unit, prefix = '' }] of Object.entries(shapes)) {
  const text = prefix + unit.repeat(Math.ceil((MB - prefix.length) / unit.length)).slice(0, MB - prefix.length);
  redact(text.slice(0, 1024));
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    redact(text);
    best = Math.min(best, performance.now() - t0);
  }
  out[name] = { length: text.length, ms: best };
}
process.stdout.write(JSON.stringify(out));
`;

function measure(): Promise<Record<string, { length: number; ms: number }>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD, JSON.stringify(SHAPES)], { cwd: ROOT, timeout: 60_000, maxBuffer: 1 << 20 }, (err, stdout) => {
      if (err) reject(new Error(`redaction did not finish in 60 s (${err.killed ? 'killed' : err.message.split('\n')[0]})`));
      else resolve(JSON.parse(stdout) as Record<string, { length: number; ms: number }>);
    });
  });
}

describe('log redaction runs in linear time', () => {
  it('every shape: 1 MB in < 50 ms', async () => {
    const results = await measure();
    for (const name of Object.keys(SHAPES)) {
      expect(results[name]!.length, name).toBe(1 << 20);
      expect(results[name]!.ms, name).toBeLessThan(50);
    }
  }, 90_000);

  it('still masks what it masked before', () => {
    expect(redact('{"password":"p4ss","user":"admin"}')).toBe('{"password":"[redacted]","user":"admin"}');
    expect(redact("token = 'abc123' next")).toBe("token = '[redacted]' next");
    expect(redact('unseal_key: AbC+/= ok')).toBe('unseal_key: [redacted] ok');
    expect(redact('got hvs.CAESIJ0123456789abcdefghijklmnopqrstuv back')).toBe('got [redacted] back');
    const block = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\nBBBB\n-----END OPENSSH PRIVATE KEY-----';
    expect(redact(`before ${block} after ${block} end`)).toBe('before [redacted] after [redacted] end');
  });

  it('a key block that never ends is masked to the end of the text', () => {
    expect(redact('x -----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA... (truncated)')).toBe('x [redacted]');
  });
});
