// Flag parsing in the Vault CLI's style: "-format=json", "-format json" and the
// GNU forms "--format=json", "--format json" all mean the same. Booleans take no
// value ("-create-mount") or an explicit one ("-create-mount=false").
import { AppError } from '../../shared/errors';

export type FlagType = 'string' | 'int' | 'bool';

export interface FlagSpec {
  type: FlagType;
  description: string;
  /** For ints: smallest and largest accepted value. */
  min?: number;
  max?: number;
  /** For strings: the accepted values. */
  choices?: readonly string[];
}

export type FlagSpecs = Record<string, FlagSpec>;
export type FlagValues = Record<string, string | number | boolean | undefined>;

export interface ParsedArgs {
  flags: FlagValues;
  positionals: string[];
}

const NAME_RE = /^[a-z][a-z0-9-]*$/;

export function parseArgs(argv: readonly string[], specs: FlagSpecs, command: string): ParsedArgs {
  const flags: FlagValues = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const spec = NAME_RE.test(name) ? specs[name] : undefined;
    // Security: the flag's name only, never what follows "=" (a mistyped -pasword=... is a password).
    if (!spec) throw new AppError('BAD_INPUT', `${command}: ${unknownFlag(name, command)} (see "vault-console help ${command}")`);
    let raw: string | undefined = eq >= 0 ? body.slice(eq + 1) : undefined;
    if (raw === undefined && spec.type !== 'bool') {
      const nextArg = argv[i + 1];
      if (nextArg === undefined || (nextArg.startsWith('-') && !/^-\d/.test(nextArg))) {
        throw new AppError('BAD_INPUT', `${command}: flag -${name} needs a value`);
      }
      raw = nextArg;
      i++;
    }
    flags[name] = convert(name, spec, raw, command);
  }
  return { flags, positionals };
}

function convert(name: string, spec: FlagSpec, raw: string | undefined, command: string): string | number | boolean {
  switch (spec.type) {
    case 'bool':
      if (raw === undefined || raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      throw new AppError('BAD_INPUT', `${command}: flag -${name} expects true or false, got ${show(raw)}`);
    case 'int': {
      const v = raw ?? '';
      if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new AppError('BAD_INPUT', `${command}: flag -${name} expects an integer, got ${show(v)}`);
      const n = Number(v);
      if (spec.min !== undefined && n < spec.min) throw new AppError('BAD_INPUT', `${command}: flag -${name} must be at least ${spec.min}, got ${n}`);
      if (spec.max !== undefined && n > spec.max) throw new AppError('BAD_INPUT', `${command}: flag -${name} must be at most ${spec.max}, got ${n}`);
      return n;
    }
    case 'string': {
      const v = raw ?? '';
      if (spec.choices && !spec.choices.includes(v)) throw new AppError('BAD_INPUT', `${command}: flag -${name} must be one of ${spec.choices.join(', ')}, got ${show(v)}`);
      return v;
    }
  }
}

function show(v: string): string {
  return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
}

/** Flags that were removed for security, with the reason given instead of "unknown". */
const REMOVED: Record<string, Record<string, string>> = {
  login: { password: 'a password on the command line shows in ps and in shell history; it is asked for without echo, or read from the first line of stdin' },
};

function unknownFlag(name: string, command: string): string {
  const printable = NAME_RE.test(name) && name.length <= 40;
  if (printable && REMOVED[command]?.[name]) return `-${name} is not accepted: ${REMOVED[command]![name]}`;
  return printable ? `unknown flag -${name}` : 'unknown flag (its text is not repeated here)';
}

/** Flags every command accepts, whether or not its own list names them. */
export const GLOBAL_FLAGS: FlagSpecs = {
  verbose: { type: 'bool', description: 'Print progress and log lines as they happen, also when the command fails.' },
};

/** Flags every command that talks to Vault lists. */
export const COMMON_FLAGS: FlagSpecs = {
  ...GLOBAL_FLAGS,
  format: { type: 'string', description: 'Output format: table or json.', choices: ['table', 'json'] },
  address: { type: 'string', description: 'Vault address; overrides VAULT_ADDR.' },
};
