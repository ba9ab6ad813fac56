// Reads one secret line (a password, a token, an unseal key share) for the CLI:
// from a terminal with echo off, or the first line of piped stdin. The value is
// returned to the caller only; it is never written anywhere, not even as '*'.
import { AppError } from '../../shared/errors';
import type { CliIo } from './io';

export interface SecretInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

const MAX_SECRET_CHARS = 4096;

export async function readSecret(prompt: string, io: CliIo, input: SecretInput = process.stdin): Promise<string> {
  const value = input.isTTY && typeof input.setRawMode === 'function' ? await fromTerminal(prompt, io, input) : await firstLine(input);
  const trimmed = value.replace(/\r?\n$/, '').trim();
  if (!trimmed) throw new AppError('BAD_INPUT', `${prompt.replace(/:\s*$/, '')}: nothing entered`);
  return trimmed;
}

function fromTerminal(prompt: string, io: CliIo, input: SecretInput): Promise<string> {
  io.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let buf = '';
    const done = (err?: AppError) => {
      input.removeListener('data', onData);
      input.setRawMode!(false);
      input.pause();
      io.stderr.write('\n');
      if (err) reject(err);
      else resolve(buf);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new AppError('CANCELLED', 'cancelled'));
        if (ch === '\u0004') return done();
        if (ch === '\u007f' || ch === '\b') buf = buf.slice(0, -1);
        else if (buf.length < MAX_SECRET_CHARS) buf += ch;
      }
    };
    input.setRawMode!(true);
    input.resume();
    input.on('data', onData);
  });
}

function firstLine(input: SecretInput): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const finish = () => {
      input.removeListener('data', onData);
      input.removeListener('end', finish);
      input.removeListener('error', onError);
      input.pause();
      resolve(buf.split('\n')[0] ?? '');
    };
    const onData = (chunk: Buffer | string) => {
      buf += chunk.toString();
      if (buf.includes('\n') || buf.length > MAX_SECRET_CHARS) finish();
    };
    const onError = () => reject(new AppError('BAD_INPUT', 'could not read standard input'));
    input.on('data', onData);
    input.once('end', finish);
    input.once('error', onError);
    input.resume();
  });
}
