// The files the audit feature reads (the live tail, imports) are chosen in main:
// in a native file dialog (an Electron adapter behind AuditFilePicker), from the
// path Vault's sys/audit reports for its file device, or typed on the CLI. Before
// every open the path must name a regular file: /dev/zero never ends, a FIFO
// blocks a reader forever, a directory or device is no log. A symlink is resolved
// and its target checked the same way, and the file is opened without following
// links and without blocking, then checked again through the open handle (so a
// swap between check and open is caught). A file that other users can write (or
// that sits in a folder they can write) is read, with a warning: another local user
// could add entries to it.
import { constants } from 'node:fs';
import { lstat, open, realpath, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { AppError } from '../../../shared/errors';

/** Where the audit files come from: main's native dialogs (Electron), a test's choice (harness). */
export interface AuditFilePicker {
  /** One file to tail; null when the user cancels. */
  pickLogFile(): Promise<string | null>;
  /** Files to import (at most 100); empty when the user cancels. */
  pickImportFiles(): Promise<string[]>;
}

export interface CheckedFile {
  /** The path as given. */
  path: string;
  /** The regular file it names (symlinks resolved). */
  realPath: string;
  size: number;
  warnings: string[];
}

function kindOf(st: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isDirectory(): boolean; isSocket(): boolean; isSymbolicLink(): boolean }): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isDirectory()) return 'a folder';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

function errnoMessage(name: string, err: unknown): AppError {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  return new AppError(code === 'ENOENT' ? 'NOT_FOUND' : 'BAD_INPUT', `${name} cannot be read (${code}).`);
}

/** Checks a path names a regular file (resolving symlinks); throws AppError with a clear message otherwise. */
export async function checkAuditFile(path: string): Promise<CheckedFile> {
  const name = basename(path) || path;
  let st;
  try {
    st = await lstat(path);
  } catch (err) {
    throw errnoMessage(name, err);
  }
  let real = path;
  if (st.isSymbolicLink()) {
    try {
      real = await realpath(path);
      st = await lstat(real);
    } catch (err) {
      throw errnoMessage(name, err);
    }
  }
  if (!st.isFile()) throw new AppError('BAD_INPUT', `${name} is ${kindOf(st)}, not a regular file; audit logs are read from regular files only.`);
  const warnings: string[] = [];
  if (st.mode & 0o022) {
    warnings.push(`${basename(real)} can be written by ${st.mode & 0o002 ? 'every local user' : 'its group'} (mode ${(st.mode & 0o777).toString(8)}): someone else could add entries to it.`);
  }
  try {
    const d = await lstat(dirname(real));
    // A folder others can write (without the sticky bit) lets them replace the file.
    if (d.mode & 0o022 && !(d.mode & 0o1000)) warnings.push(`The folder of ${basename(real)} can be written by others (mode ${(d.mode & 0o777).toString(8)}): someone else could replace the file.`);
  } catch {
    // No folder to judge: the open below decides.
  }
  return { path, realPath: real, size: st.size, warnings };
}

/**
 * Opens a checked file for reading: no symlink followed, never blocking (a FIFO
 * swapped in after the check opens at once and is refused), and the handle must
 * be the regular file that was checked.
 */
export async function openAuditFile(checked: CheckedFile): Promise<FileHandle> {
  const name = basename(checked.path) || checked.path;
  let fh: FileHandle;
  try {
    fh = await open(checked.realPath, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw new AppError('BAD_INPUT', `${name} was replaced by a symbolic link after it was checked; not read.`);
    throw errnoMessage(name, err);
  }
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw new AppError('BAD_INPUT', `${name} is ${kindOf(st)}, not a regular file; audit logs are read from regular files only.`);
  }
  return fh;
}

/** Check and open in one step. */
export async function openCheckedAuditFile(path: string): Promise<{ fh: FileHandle; checked: CheckedFile }> {
  const checked = await checkAuditFile(path);
  return { fh: await openAuditFile(checked), checked };
}
