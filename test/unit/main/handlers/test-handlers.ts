// Handlers with observable side effects, for testing the registry and dispatcher.
import type { Handlers } from '../../../../src/main/handlers/types';

export function recordingHandlers() {
  const calls: Array<{ channel: string; input: unknown }> = [];
  const opened: string[] = [];
  const handlers: Handlers = {
    'app:info': async (input) => {
      calls.push({ channel: 'app:info', input });
      return { name: 'Vault Console', version: '0.0.0-test', platform: 'linux', shell: 'harness', vaultAddress: 'http://127.0.0.1:1' };
    },
    'vault:status': async (input) => {
      calls.push({ channel: 'vault:status', input });
      throw new Error('boom at /home/user/secret-path with token s.abcdefghijklmnopqrstuvwxyz');
    },
    'shell:open-external': async (input) => {
      calls.push({ channel: 'shell:open-external', input });
      opened.push(input.url);
      return { opened: true };
    },
  };
  return { handlers, calls, opened };
}
