// Errors that cross a boundary (IPC, CLI, harness) carry a stable code and a
// one-line message. Never a stack, never a secret value.

export const ERROR_CODES = [
  'UNKNOWN_CHANNEL',
  'BAD_INPUT',
  'FORBIDDEN_SENDER',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'VAULT_UNREACHABLE',
  'VAULT_SEALED',
  'VAULT_UNINITIALIZED',
  'VAULT_ERROR',
  'TLS_ERROR',
  /** S3 (backup storage) could not be reached. */
  'STORAGE_UNREACHABLE',
  /** A checksum or authentication tag did not match: the data was altered or truncated. */
  'INTEGRITY_FAILED',
  'KEYCHAIN_UNAVAILABLE',
  'NOT_FOUND',
  'CONFLICT',
  'CANCELLED',
  /** The audit source (VictoriaLogs) did not give a whole answer: down, too slow, or cut off. */
  'SOURCE_UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface IpcError {
  code: ErrorCode;
  message: string;
}

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** An error whose message is safe to show to the user as it is. */
export class AppError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/**
 * Reduce anything thrown to {code, message}. Unknown errors become INTERNAL with a
 * generic message: their text may hold a path, a header or a value we never vetted.
 */
export function toIpcError(err: unknown): IpcError {
  if (isAppError(err)) return { code: err.code, message: oneLine(err.message) };
  return { code: 'INTERNAL', message: 'Internal error; see the main-process log for the action id.' };
}

export function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
