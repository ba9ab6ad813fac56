import { describe, expect, it, beforeAll } from 'vitest';
import { dispatch } from '../../../../src/main/handlers/dispatch';
import { setLogSink } from '../../../../src/main/services/log/logger';
import { recordingHandlers } from './test-handlers';

beforeAll(() => setLogSink(() => undefined));

describe('dispatch', () => {
  it('answers a known channel with {ok:true,value}', async () => {
    const { handlers } = recordingHandlers();
    const res = await dispatch(handlers, 'app:info', {});
    expect(res).toEqual({ ok: true, value: expect.objectContaining({ name: 'Vault Console', shell: 'harness' }) });
  });

  it('refuses an unknown channel with UNKNOWN_CHANNEL and calls nothing', async () => {
    const { handlers, calls } = recordingHandlers();
    for (const name of ['vault:delete-everything', '__proto__', 'constructor', 42, null, undefined, 'x'.repeat(10_000)]) {
      const res = await dispatch(handlers, name, {});
      expect(res.ok).toBe(false);
      if (!res.ok) {
        expect(res.error.code).toBe('UNKNOWN_CHANNEL');
        expect(res.error.message.length).toBeLessThan(120);
      }
    }
    expect(calls).toEqual([]);
  });

  it('refuses a wrongly shaped payload with BAD_INPUT and changes nothing', async () => {
    const { handlers, calls, opened } = recordingHandlers();
    const bad: unknown[] = [{ url: 42 }, { url: 'https://ok.example', extra: true }, 'https://x', [1, 2], { url: 'h'.repeat(5000) }];
    for (const input of bad) {
      const res = await dispatch(handlers, 'shell:open-external', input);
      expect(res.ok).toBe(false);
      if (!res.ok) expect(res.error.code).toBe('BAD_INPUT');
    }
    expect(calls).toEqual([]);
    expect(opened).toEqual([]);
  });

  it('does not echo the rejected value in the error message', async () => {
    const { handlers } = recordingHandlers();
    const res = await dispatch(handlers, 'shell:open-external', { url: 42, password: 'hunter2-super-secret' });
    expect(JSON.stringify(res)).not.toContain('hunter2');
  });

  it('turns an unexpected handler error into INTERNAL without its text or stack', async () => {
    const { handlers } = recordingHandlers();
    const res = await dispatch(handlers, 'vault:status', {});
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.error.code).toBe('INTERNAL');
      expect(res.error.message).not.toMatch(/boom|secret-path|s\.abc|at /);
      expect(Object.keys(res.error).sort()).toEqual(['code', 'message']);
    }
  });

  it('strips fields the contract does not declare from the output', async () => {
    const { handlers } = recordingHandlers();
    const leaky = {
      ...handlers,
      'app:info': async () => ({
        name: 'Vault Console',
        version: '1',
        platform: 'linux',
        shell: 'electron' as const,
        vaultAddress: 'http://127.0.0.1:1',
        token: 's.should-never-cross',
      }),
    };
    const res = await dispatch(leaky, 'app:info', {});
    expect(res.ok).toBe(true);
    expect(JSON.stringify(res)).not.toContain('should-never-cross');
  });

  it('reports a handler result outside the contract as INTERNAL', async () => {
    const { handlers } = recordingHandlers();
    const wrong = { ...handlers, 'shell:open-external': async () => ({ opened: 'yes' }) as never };
    const res = await dispatch(wrong, 'shell:open-external', { url: 'https://example.com' });
    expect(res).toEqual({ ok: false, error: { code: 'INTERNAL', message: expect.stringContaining('invalid result') } });
  });
});
