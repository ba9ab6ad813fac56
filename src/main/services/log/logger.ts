// Logs name the service, the action and ids, never a value. As a second line of
// defence, anything that looks like a Vault token or a key block is masked.

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, err?: unknown): void;
  debug(message: string): void;
}

// Every pattern runs in time linear in the text (a log line can be megabytes of someone
// else's data): no lookbehind, no unbounded quantifier that can backtrack over a run it
// already scanned from another start, and key blocks found with a forward scan that never
// revisits text. test/unit/main/services/log/redaction-is-linear.test.ts checks it.
const VAULT_TOKEN = /\b(?:hvs|hvb|hvr|s|b|r)\.[A-Za-z0-9_-]{20,}/g;
const KEY_BEGIN = /-----BEGIN [A-Z ]{0,64}PRIVATE KEY-----/g;
const KEY_END = /-----END [A-Z ]{0,64}PRIVATE KEY-----/g;
// The name, an optional closing quote, the separator and an optional opening quote are kept;
// the value after them is masked.
const SECRET_FIELD = /((?:password|token|secret|private_key|unseal_key|key)["']?\s*[:=]\s*["']?)[^"',\s}]+/gi;

/** Private key blocks; an unterminated block is masked to the end of the text. */
function redactKeyBlocks(text: string): string {
  if (!text.includes('PRIVATE KEY-----')) return text;
  let out = '';
  let from = 0;
  KEY_BEGIN.lastIndex = 0;
  for (let m = KEY_BEGIN.exec(text); m; m = KEY_BEGIN.exec(text)) {
    out += `${text.slice(from, m.index)}[redacted]`;
    KEY_END.lastIndex = m.index + m[0].length;
    const end = KEY_END.exec(text);
    if (!end) return out;
    from = end.index + end[0].length;
    KEY_BEGIN.lastIndex = from;
  }
  return out + text.slice(from);
}

export function redact(text: string): string {
  return redactKeyBlocks(text).replace(VAULT_TOKEN, '[redacted]').replace(SECRET_FIELD, '$1[redacted]');
}

let sink: (line: string) => void = (line) => process.stderr.write(`${line}\n`);
let debugEnabled = process.env.VAULT_CONSOLE_DEBUG === '1';

/** Tests and the CLI redirect or silence the log; returns a function that puts the previous sink back. */
export function setLogSink(next: (line: string) => void, opts: { debug?: boolean } = {}): () => void {
  const previous = { sink, debugEnabled };
  sink = next;
  if (opts.debug !== undefined) debugEnabled = opts.debug;
  return () => {
    sink = previous.sink;
    debugEnabled = previous.debugEnabled;
  };
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
