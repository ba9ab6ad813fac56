// Handlers with observable side effects, for testing the registry and dispatcher.
// Every contract channel records its call; a few answer with canned values.
import { channelNames } from '../../../../src/shared/contract';
import { AppError } from '../../../../src/shared/errors';
import type { Handlers } from '../../../../src/main/handlers/types';

export function recordingHandlers() {
  const calls: Array<{ channel: string; input: unknown }> = [];
  const opened: string[] = [];
  const handlers = Object.fromEntries(
    channelNames.map((name) => [
      name,
      async (input: unknown) => {
        calls.push({ channel: name, input });
        throw new AppError('INTERNAL', `${name} is not under test`);
      },
    ]),
  ) as unknown as Handlers;
  Object.assign(handlers, {
    'app:info': async (input: unknown) => {
      calls.push({ channel: 'app:info', input });
      return { name: 'Vault Console', version: '0.0.0-test', platform: 'linux', shell: 'harness', vaultAddress: 'http://127.0.0.1:1' };
    },
    'vault:status': async (input: unknown) => {
      calls.push({ channel: 'vault:status', input });
      throw new Error('boom at /home/user/secret-path with token s.abcdefghijklmnopqrstuvwxyz');
    },
    'shell:open-external': async (input: { url: string }) => {
      calls.push({ channel: 'shell:open-external', input });
      opened.push(input.url);
      return { opened: true };
    },
  } satisfies Partial<Handlers>);
  return { handlers, calls, opened };
}
