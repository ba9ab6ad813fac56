// Electron-free core of the IPC registry: refuse unknown channels, parse input
// with the contract's zod schema, run the handler, strip the output through the
// output schema, and answer an envelope. Used by the Electron registry and by the
// browser harness, so both enforce exactly the same rules.
import { channels, isChannelName, type ChannelName } from '../../shared/contract';
import { AppError, toIpcError, type Envelope } from '../../shared/errors';
import type { Handlers } from './types';
import { createLogger } from '../services/log/logger';

const log = createLogger('ipc');

export async function dispatch(handlers: Handlers, channel: unknown, input: unknown): Promise<Envelope<unknown>> {
  if (!isChannelName(channel)) {
    log.warn(`refused unknown channel ${describeName(channel)}`);
    return { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `Unknown channel ${describeName(channel)}.` } };
  }
  const def = channels[channel];
  const parsed = def.input.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'input';
    // The zod message names the rule, never the value; inputs may hold secrets.
    return {
      ok: false,
      error: { code: 'BAD_INPUT', message: `Invalid input for ${channel}: ${where}: ${issue?.message ?? 'invalid'}.` },
    };
  }
  try {
    const handler = handlers[channel] as (input: unknown) => Promise<unknown>;
    const value = await handler(parsed.data);
    // Parsing the output strips any field the contract does not declare, so a
    // service can never leak a token or a key to the renderer by accident.
    const out = def.output.safeParse(value);
    if (!out.success) {
      // Name the field and the rule, never the value: outputs can hold secrets.
      const where = out.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.code}`).join('; ');
      log.error(`handler ${channel} returned a value outside its contract (${where})`);
      return { ok: false, error: { code: 'INTERNAL', message: `The ${channel} handler returned an invalid result.` } };
    }
    return { ok: true, value: out.data };
  } catch (err) {
    if (!(err instanceof AppError)) log.error(`handler ${channel} failed`, err);
    return { ok: false, error: toIpcError(err) };
  }
}

function describeName(name: unknown): string {
  if (typeof name !== 'string') return `(${typeof name})`;
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
}

export type { ChannelName };
