// Logs name the service, the action and ids, never a value. As a second line of
// defence, anything that looks like a Vault token or a key block is masked.

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, err?: unknown): void;
  debug(message: string): void;
}

const TOKEN_PATTERNS: RegExp[] = [
  /\b(?:hvs|hvb|hvr|s|b|r)\.[A-Za-z0-9_-]{20,}/g, // Vault / OpenBao tokens
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /(?<=["']?(?:password|token|secret|private_key|unseal_key|key)["']?\s*[:=]\s*["']?)[^"',\s}]+/gi,
];

export function redact(text: string): string {
  let out = text;
  for (const re of TOKEN_PATTERNS) out = out.replace(re, '[redacted]');
  return out;
}

let sink: (line: string) => void = (line) => process.stderr.write(`${line}\n`);
let debugEnabled = process.env.VAULT_CONSOLE_DEBUG === '1';

/** Tests and the CLI redirect or silence the log. */
export function setLogSink(next: (line: string) => void, opts: { debug?: boolean } = {}): void {
  sink = next;
  if (opts.debug !== undefined) debugEnabled = opts.debug;
}

function errorSummary(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return typeof err;
}

export function createLogger(service: string): Logger {
  const write = (level: string, message: string) =>
    sink(redact(`${new Date().toISOString()} ${level} [${service}] ${message}`));
  return {
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m, err) => write('error', err === undefined ? m : `${m}: ${errorSummary(err)}`),
    debug: (m) => {
      if (debugEnabled) write('debug', m);
    },
  };
}
