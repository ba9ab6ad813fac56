// Attack: another program running as the same user starts the installed app with
// ELECTRON_RENDERER_URL pointing at its own page, and that page calls session:resume,
// vault:seal or a rotation with the signed-in admin's token. A packaged app ignores the
// variable; an unpackaged build honours it for a loopback http(s) dev server only.
import { beforeAll, describe, expect, it } from 'vitest';
import { createInvokeListener, type InvokeEventLike } from '../../../../src/main/electron/ipc-registry';
import { APP_INDEX_URL, chooseRendererSource, trustedOriginOf } from '../../../../src/main/electron/renderer-source';
import { setLogSink } from '../../../../src/main/services/log/logger';
import { recordingHandlers } from '../handlers/test-handlers';

beforeAll(() => setLogSink(() => undefined));

const ATTACKER = 'http://127.0.0.1:48123/';

function mainFrameEvent(url: string): InvokeEventLike {
  const frame = { url, parent: null };
  return { sender: { id: 1, mainFrame: frame }, senderFrame: frame };
}

describe('packaged app and ELECTRON_RENDERER_URL', () => {
  it.each([
    ['a loopback page', ATTACKER],
    ['a localhost page', 'http://localhost:5173/'],
    ['a remote page', 'https://evil.example/'],
    ['a local file', 'file:///tmp/evil.html'],
  ])('a packaged app ignores it (%s) and loads the built renderer on the app scheme', (_name, url) => {
    const choice = chooseRendererSource({ isPackaged: true, devServerUrl: url });
    expect(choice).toEqual({ source: { kind: 'app-scheme', url: APP_INDEX_URL }, ignoredDevServer: 'packaged' });
    expect(trustedOriginOf(choice.source)).toEqual({ appUrl: APP_INDEX_URL });
  });

  it("the attacker's page in a packaged app cannot call vault:seal or session:resume", async () => {
    const { source } = chooseRendererSource({ isPackaged: true, devServerUrl: ATTACKER });
    const { handlers, calls } = recordingHandlers();
    const listen = createInvokeListener(handlers, trustedOriginOf(source), (id) => id === 1);
    for (const channel of ['vault:seal', 'session:resume']) {
      const res = await listen(mainFrameEvent(`${ATTACKER}#/health`), channel, {});
      expect(res).toEqual({ ok: false, error: { code: 'FORBIDDEN_SENDER', message: expect.any(String) } });
    }
    expect(calls).toEqual([]);
    // The app's own document still works.
    expect((await listen(mainFrameEvent(APP_INDEX_URL), 'app:info', {})).ok).toBe(true);
  });

  it('an unpackaged build (electron-vite dev) honours a loopback http(s) dev server', () => {
    for (const url of ['http://localhost:5173', 'http://127.0.0.1:5173/', 'https://[::1]:5173/']) {
      const choice = chooseRendererSource({ isPackaged: false, devServerUrl: url });
      expect(choice).toEqual({ source: { kind: 'dev-server', url } });
      expect(trustedOriginOf(choice.source)).toEqual({ devOrigin: url });
    }
  });

  it.each([
    ['a remote page', 'https://evil.example/'],
    ['a look-alike host', 'http://localhost.evil.example:5173/'],
    ['credentials in the URL', 'http://user:pw@localhost:5173/'],
    ['a local file', 'file:///tmp/evil.html'],
    ['a data URL', 'data:text/html,<script>1</script>'],
    ['not a URL', 'localhost:5173'],
  ])('an unpackaged build ignores %s', (_name, url) => {
    expect(chooseRendererSource({ isPackaged: false, devServerUrl: url })).toEqual({
      source: { kind: 'app-scheme', url: APP_INDEX_URL },
      ignoredDevServer: 'not-loopback-http',
    });
  });

  it('without the variable (or empty) both load the built renderer and log nothing', () => {
    for (const isPackaged of [true, false]) {
      for (const devServerUrl of [undefined, '']) {
        expect(chooseRendererSource({ isPackaged, devServerUrl })).toEqual({ source: { kind: 'app-scheme', url: APP_INDEX_URL } });
      }
    }
  });
});
