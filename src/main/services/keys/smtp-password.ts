// SMTP passwords end up in SMTP AUTH PLAIN/LOGIN, Postfix/Dovecot config files,
// .env files and shell variables. The alphabet avoids everything that needs
// quoting in any of them (quotes, $, \, #, %, =, :, spaces, ;, &) and glyphs
// that are confused when read aloud (none of 0/O, 1/l/I matter here: it is copied).
import { ALNUM, randomString } from './random-strings';

export const SMTP_PASSWORD_ALPHABET = `${ALNUM}-_.`;
export const SMTP_PASSWORD_MIN_LENGTH = 32;

export function generateSmtpPassword(length = SMTP_PASSWORD_MIN_LENGTH, bytes?: (n: number) => Buffer): string {
  if (length < SMTP_PASSWORD_MIN_LENGTH) throw new Error(`SMTP passwords are at least ${SMTP_PASSWORD_MIN_LENGTH} characters`);
  // Some mail panels insist on upper, lower and digit; redraw until all appear
  // (with 32 characters this almost never loops).
  for (;;) {
    const pw = randomString(length, SMTP_PASSWORD_ALPHABET, bytes);
    // A leading '-' reads as an option on command lines; a trailing '.' gets lost in prose.
    if (/[A-Z]/.test(pw) && /[a-z]/.test(pw) && /[0-9]/.test(pw) && !pw.startsWith('-') && !pw.endsWith('.')) return pw;
  }
}

export function isSmtpSafePassword(pw: string): boolean {
  return pw.length >= SMTP_PASSWORD_MIN_LENGTH && /^[A-Za-z0-9._-]+$/.test(pw);
}
