import { shell } from 'electron';
import { validateExternalUrl } from '../../shared/external-url';
import type { ExternalOpener } from '../services/container';

// The handler validated the URL already; checked again here, next to the OS call.
export const openExternal: ExternalOpener = async (url) => {
  const safe = validateExternalUrl(url);
  // https only, no embedded credentials (validateExternalUrl, the line above).
  await shell.openExternal(safe, { activate: true }); // eng-disable OPEN_EXTERNAL_JS_CHECK
};
