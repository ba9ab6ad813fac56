import { shell } from 'electron';
import type { ExternalOpener } from '../services/container';

// The handler validated the URL (https only) before it reaches this adapter.
export const openExternal: ExternalOpener = async (url) => {
  await shell.openExternal(url, { activate: true });
};
