// The registry refuses calls from anything but the console window's own main frame.
import { beforeAll, describe, expect, it } from 'vitest';
import { createInvokeListener, type InvokeEventLike } from '../../../../src/main/electron/ipc-registry';
import { setLogSink } from '../../../../src/main/services/log/logger';
import { recordingHandlers } from '../handlers/test-handlers';

beforeAll(() => setLogSink(() => undefined));

const APP_URL = 'vault-console://app/index.html';
const trusted = { appUrl: APP_URL };

function eventFrom(url: string, opts: { subframe?: boolean; windowId?: number } = {}): InvokeEventLike {
  const mainFrame = { url: APP_URL, parent: null };
  const frame = opts.subframe ? { url, parent: mainFrame } : url === APP_URL ? mainFrame : { url, parent: null };
  return { sender: { id: opts.windowId ?? 1, mainFrame: opts.subframe ? mainFrame : frame }, senderFrame: frame };
}

describe('IPC registry sender check', () => {
  const ownWindow = (id: number) => id === 1;

  it('accepts the console window main frame', async () => {
    const { handlers } = recordingHandlers();
    const listen = createInvokeListener(handlers, trusted, ownWindow);
    const res = await listen(eventFrom(APP_URL), 'app:info', {});
    expect(res.ok).toBe(true);
  });

  it.each([
    ['a remote page', 'https://evil.example/index.html', {}],
    ['another local file', 'file:///tmp/evil.html', {}],
    ['the built renderer opened from file://', 'file:///opt/Vault%20Console/resources/app.asar/out/renderer/index.html', {}],
    ['a data URL', 'data:text/html,<script>1</script>', {}],
    ['a subframe of the app', 'https://evil.example/frame.html', { subframe: true }],
    ['the app URL in a window that is not ours', APP_URL, { windowId: 7 }],
  ])('refuses %s with FORBIDDEN_SENDER and runs nothing', async (_name, url, opts) => {
    const { handlers, calls, opened } = recordingHandlers();
    const listen = createInvokeListener(handlers, trusted, ownWindow);
    const res = await listen(eventFrom(url, opts), 'shell:open-external', { url: 'https://example.com' });
    expect(res).toEqual({ ok: false, error: { code: 'FORBIDDEN_SENDER', message: expect.any(String) } });
    expect(calls).toEqual([]);
    expect(opened).toEqual([]);
  });

  it('refuses a destroyed frame (null senderFrame)', async () => {
    const { handlers } = recordingHandlers();
    const listen = createInvokeListener(handlers, trusted, ownWindow);
    const res = await listen({ sender: { id: 1, mainFrame: {} }, senderFrame: null }, 'app:info', {});
    expect(res.ok).toBe(false);
  });

  it('still refuses unknown channels and bad payloads from the trusted frame', async () => {
    const { handlers } = recordingHandlers();
    const listen = createInvokeListener(handlers, trusted, ownWindow);
    const a = await listen(eventFrom(APP_URL), 'vault:nuke', {});
    const b = await listen(eventFrom(APP_URL), 'shell:open-external', { url: 7 });
    expect(a.ok || a.error.code).toBe('UNKNOWN_CHANNEL');
    expect(b.ok || b.error.code).toBe('BAD_INPUT');
  });
});
