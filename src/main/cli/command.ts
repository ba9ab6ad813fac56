// The shape of a subcommand. A new command is one file exporting a Command and
// one line in registry.ts.
import type { FlagSpecs, ParsedArgs } from './args';
import type { CliIo } from './io';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  flags: FlagSpecs;
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}
