// What a command may touch: its output streams and environment. Tests pass
// their own; the real entry passes process.stdout/stderr/env.

export interface CliWriter {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface CliIo {
  stdout: CliWriter;
  stderr: CliWriter;
  env: NodeJS.ProcessEnv;
  /**
   * Progress and log lines go here, never straight to stderr: runCli decides when they are
   * shown (cli/diagnostics.ts: live with -verbose, otherwise only once the command succeeded).
   */
  diagnostics?: {
    progress(line: string): void;
    log(line: string): void;
    /**
     * A long-lived service that has started (`vault-console watch`): the lines held so far
     * are printed and every later one streams as it happens (its log is journald's).
     */
    stream?(): void;
  };
}

export type OutputFormat = 'table' | 'json';

/** Exit codes follow the Vault CLI: 0 ok, 1 error, 2 "it worked, the answer is no" (e.g. sealed). */
export const EXIT = { ok: 0, error: 1, sealed: 2 } as const;

export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Two-column key/value table like `vault status`. */
export function printKeyValue(io: CliIo, rows: Array<[string, string]>): void {
  const width = Math.max(3, ...rows.map(([k]) => k.length));
  io.stdout.write(`${'Key'.padEnd(width)}    Value\n${'---'.padEnd(width)}    -----\n`);
  for (const [k, v] of rows) io.stdout.write(`${k.padEnd(width)}    ${v}\n`);
}

/** A progress line (see CliIo.diagnostics); plain stderr when no runner set one up. */
export function progress(io: CliIo, line: string): void {
  if (io.diagnostics) io.diagnostics.progress(line);
  else io.stderr.write(`${line}\n`);
}

/** A diagnostic log line (a service's warning, ...), shown like progress. */
export function logLine(io: CliIo, line: string): void {
  if (io.diagnostics) io.diagnostics.log(line);
  else io.stderr.write(`${line}\n`);
}
