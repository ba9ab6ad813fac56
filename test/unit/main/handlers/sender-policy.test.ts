import { describe, expect, it } from 'vitest';
import { isTrustedFrameUrl } from '../../../../src/main/handlers/sender-policy';

describe('isTrustedFrameUrl', () => {
  const fileUrl = 'file:///app/out/renderer/index.html';
  it('accepts the packaged index with a fragment', () => {
    expect(isTrustedFrameUrl('file:///app/out/renderer/index.html#/health', { fileUrl })).toBe(true);
  });
  it('refuses other files and schemes', () => {
    expect(isTrustedFrameUrl('file:///app/out/renderer/other.html', { fileUrl })).toBe(false);
    expect(isTrustedFrameUrl('https://app/out/renderer/index.html', { fileUrl })).toBe(false);
    expect(isTrustedFrameUrl('not a url', { fileUrl })).toBe(false);
  });
  it('accepts only the dev server origin in development', () => {
    const devOrigin = 'http://localhost:5173';
    expect(isTrustedFrameUrl('http://localhost:5173/#x', { devOrigin })).toBe(true);
    expect(isTrustedFrameUrl('http://localhost:5174/', { devOrigin })).toBe(false);
    expect(isTrustedFrameUrl('http://localhost.evil:5173/', { devOrigin })).toBe(false);
  });
});
