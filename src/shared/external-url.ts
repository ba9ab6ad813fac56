// shell.openExternal only ever receives a URL that passed this check in main.
import { AppError } from './errors';

export function validateExternalUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('BAD_INPUT', 'Not a valid URL.');
  }
  if (url.protocol !== 'https:') throw new AppError('BAD_INPUT', `Only https links open externally, not ${url.protocol.replace(':', '') || 'this scheme'}.`);
  if (url.username || url.password) throw new AppError('BAD_INPUT', 'Links with embedded credentials are refused.');
  if (!url.hostname) throw new AppError('BAD_INPUT', 'The link has no host.');
  return url.toString();
}
