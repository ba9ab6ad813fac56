// Attack: a page from the disk (file://: a downloaded .html, a file another program wrote, or
// the renderer's own index.html opened outside the app scheme) calls the IPC registry. The
// built renderer is served on vault-console://app, so file:// is never trusted: not the old
// renderer path, not any other file.
import { beforeAll, describe, expect, it } from 'vitest';
import { createInvokeListener, type InvokeEventLike } from '../../../../src/main/electron/ipc-registry';
import { APP_INDEX_URL, chooseRendererSource, trustedOriginOf } from '../../../../src/main/electron/renderer-source';
import { setLogSink } from '../../../../src/main/services/log/logger';
import { recordingHandlers } from '../handlers/test-handlers';

beforeAll(() => setLogSink(() => undefined));

function mainFrameEvent(url: string): InvokeEventLike {
  const frame = { url, parent: null };
  return { sender: { id: 1, mainFrame: frame }, senderFrame: frame };
}

describe('file:// pages and the IPC registry', () => {
  const { source } = chooseRendererSource({ isPackaged: true, devServerUrl: undefined });

  it('serves the packaged renderer from the app scheme, not file://', () => {
    expect(source.url).toBe('vault-console://app/index.html');
    expect(source.url).toBe(APP_INDEX_URL);
  });

  it.each([
    ['the packaged renderer index on file://', 'file:///opt/Vault%20Console/resources/app.asar/out/renderer/index.html'],
    ['the development renderer index on file://', `file://${process.cwd()}/out/renderer/index.html`],
    ['a downloaded page', 'file:///home/admin/Downloads/invoice.html'],
    ['a page in /tmp', 'file:///tmp/index.html'],
  ])('refuses %s and runs no handler', async (_name, url) => {
    const { handlers, calls } = recordingHandlers();
    const listen = createInvokeListener(handlers, trustedOriginOf(source), (id) => id === 1);
    const res = await listen(mainFrameEvent(`${url}#/health`), 'vault:seal', {});
    expect(res).toEqual({ ok: false, error: { code: 'FORBIDDEN_SENDER', message: expect.any(String) } });
    expect(calls).toEqual([]);
  });

  it('accepts the app document on the app scheme', async () => {
    const { handlers } = recordingHandlers();
    const listen = createInvokeListener(handlers, trustedOriginOf(source), (id) => id === 1);
    expect((await listen(mainFrameEvent(`${APP_INDEX_URL}#/health`), 'app:info', {})).ok).toBe(true);
  });
});
