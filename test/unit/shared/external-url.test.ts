import { describe, expect, it } from 'vitest';
import { validateExternalUrl } from '../../../src/shared/external-url';

describe('validateExternalUrl', () => {
  it('accepts https', () => {
    expect(validateExternalUrl('https://mail.example.com/webmail')).toBe('https://mail.example.com/webmail');
  });
  it.each(['http://mail.example.com', 'javascript:alert(1)', 'file:///etc/passwd', 'smb://host/share', 'https://user:pw@example.com', 'not a url', ''])(
    'refuses %s',
    (url) => {
      expect(() => validateExternalUrl(url)).toThrowError(expect.objectContaining({ code: 'BAD_INPUT' }));
    },
  );
});
