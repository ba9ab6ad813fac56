// A snapshot of the whole IPC surface: a new or changed channel shows up as a diff to review.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { channels, events } from '../../../src/shared/contract';

describe('IPC contract', () => {
  it('matches the reviewed channel list', () => {
    const surface = {
      channels: Object.fromEntries(
        Object.entries(channels).sort(([a], [b]) => a.localeCompare(b)).map(([name, def]) => [name, { input: z.toJSONSchema(def.input), output: z.toJSONSchema(def.output) }]),
      ),
      events: Object.fromEntries(Object.entries(events).sort(([a], [b]) => a.localeCompare(b)).map(([name, schema]) => [name, z.toJSONSchema(schema)])),
    };
    expect(Object.keys(surface.channels)).toMatchSnapshot('channel names');
    expect(Object.keys(surface.events)).toMatchSnapshot('event names');
    expect(surface).toMatchSnapshot('schemas');
  });

  it('names every channel domain:verb', () => {
    for (const name of [...Object.keys(channels), ...Object.keys(events)]) {
      expect(name).toMatch(/^[a-z]+:[a-z-]+$/);
    }
  });
});
