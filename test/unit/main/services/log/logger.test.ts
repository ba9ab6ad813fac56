import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, redact, setLogSink } from '../../../../../src/main/services/log/logger';

describe('logger', () => {
  afterEach(() => setLogSink((l) => process.stderr.write(`${l}\n`)));

  it('prefixes the service and never prints a token or a key block', () => {
    const lines: string[] = [];
    setLogSink((l) => lines.push(l));
    const log = createLogger('session');
    log.info('login ok token=hvs.CAESIJ0123456789abcdefghijklmnopqrstuv');
    log.error('write failed', new Error('-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----'));
    expect(lines[0]).toMatch(/ info \[session\] login ok/);
    expect(lines.join('\n')).not.toMatch(/hvs\.CAES|AAAA/);
  });

  it('masks password-like fields', () => {
    expect(redact('{"password":"p4ss","user":"admin"}')).toBe('{"password":"[redacted]","user":"admin"}');
  });
});
