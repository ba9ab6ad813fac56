import { describe, expect, it } from 'vitest';
import { isTrustedFrameUrl } from '../../../../src/main/handlers/sender-policy';

describe('isTrustedFrameUrl', () => {
  const appUrl = 'vault-console://app/index.html';

  it('accepts the app document on its scheme, with a fragment or query', () => {
    expect(isTrustedFrameUrl('vault-console://app/index.html', { appUrl })).toBe(true);
    expect(isTrustedFrameUrl('vault-console://app/index.html#/health', { appUrl })).toBe(true);
    expect(isTrustedFrameUrl('vault-console://app/index.html?x=1', { appUrl })).toBe(true);
  });

  it.each([
    ['another document of the app scheme', 'vault-console://app/other.html'],
    ['an asset of the app scheme', 'vault-console://app/assets/index.js'],
    ['the app scheme root', 'vault-console://app/'],
    ['another host on the app scheme', 'vault-console://evil/index.html'],
    ['the app host with a port', 'vault-console://app:1/index.html'],
    ['the app URL with credentials', 'vault-console://user:pw@app/index.html'],
    ['the same path on https', 'https://app/index.html'],
    ['the same path on another custom scheme', 'app://app/index.html'],
    ['the renderer index on file://', 'file:///opt/Vault%20Console/resources/app.asar/out/renderer/index.html'],
    ['any file on the disk', 'file:///tmp/index.html'],
    ['a data URL', 'data:text/html,<script>1</script>'],
    ['not a URL', 'not a url'],
  ])('refuses %s', (_name, url) => {
    expect(isTrustedFrameUrl(url, { appUrl })).toBe(false);
  });

  it('never trusts file:// even when configured as the app URL', () => {
    const fileUrl = 'file:///app/out/renderer/index.html';
    expect(isTrustedFrameUrl(fileUrl, { appUrl: fileUrl })).toBe(false);
  });

  it('accepts only the dev server origin in development', () => {
    const devOrigin = 'http://localhost:5173';
    expect(isTrustedFrameUrl('http://localhost:5173/#x', { devOrigin })).toBe(true);
    expect(isTrustedFrameUrl('http://localhost:5174/', { devOrigin })).toBe(false);
    expect(isTrustedFrameUrl('http://localhost.evil:5173/', { devOrigin })).toBe(false);
    expect(isTrustedFrameUrl('vault-console://app/index.html', { devOrigin })).toBe(false);
  });
});
