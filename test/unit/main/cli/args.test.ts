import { describe, expect, it } from 'vitest';
import { parseArgs, type FlagSpecs } from '../../../../src/main/cli/args';

const specs: FlagSpecs = {
  format: { type: 'string', description: '', choices: ['table', 'json'] },
  tenants: { type: 'int', description: '', min: 1, max: 100 },
  'create-mount': { type: 'bool', description: '' },
};

describe('parseArgs', () => {
  it('accepts the Vault form and the GNU form alike', () => {
    for (const argv of [['-format=json'], ['--format=json'], ['-format', 'json'], ['--format', 'json']]) {
      expect(parseArgs(argv, specs, 'x').flags.format).toBe('json');
    }
  });

  it('parses ints, booleans and positionals', () => {
    const r = parseArgs(['a', '--tenants', '5', '-create-mount', 'b', '--', '-x'], specs, 'x');
    expect(r.flags).toEqual({ tenants: 5, 'create-mount': true });
    expect(r.positionals).toEqual(['a', 'b', '-x']);
    expect(parseArgs(['-create-mount=false'], specs, 'x').flags['create-mount']).toBe(false);
  });

  it.each([
    [['--bogus'], /unknown flag -bogus/],
    [['--tenants'], /-tenants needs a value/],
    [['--tenants', '--format=json'], /-tenants needs a value/],
    [['--tenants', 'abc'], /expects an integer, got "abc"/],
    [['--tenants=1.5'], /expects an integer/],
    [['--tenants=0'], /at least 1/],
    [['--tenants=1000'], /at most 100/],
    [['--format=yaml'], /one of table, json/],
    [['-create-mount=maybe'], /true or false/],
  ])('rejects malformed input %j with a one-line BAD_INPUT', (argv, msg) => {
    try {
      parseArgs(argv, specs, 'x');
      expect.unreachable();
    } catch (err) {
      expect((err as { code?: string }).code).toBe('BAD_INPUT');
      expect((err as Error).message).toMatch(msg);
      expect((err as Error).message).not.toContain('\n');
    }
  });
});
