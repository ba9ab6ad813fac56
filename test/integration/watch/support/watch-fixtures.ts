// What the watch tests share: a dedicated OpenBao (so a test that seals it, kills a
// watcher or fills its audit log never surprises another test file), a watcher token
// with the vault-console-watch policy in a 0600 file (as Vault Agent's sink would hold
// it), an owner-only routing key file, and the `vault-console watch` child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { baoRequest } from '../../../services/openbao/openbao-api';
import { freeLoopbackPort } from '../../../services/openbao/process';
import type { OpenBaoInstance } from '../../../services/openbao/openbao';

export const ROOT = resolve(__dirname, '..', '..', '..', '..');
export const CLI = join(ROOT, 'src', 'main', 'cli.ts');
/** tsx as a loader inside the one node process (its cli would run the CLI in a child: SIGKILL must reach the watcher itself). */
export const TSX_LOADER = ['--import', 'tsx'];

export interface WatchFiles {
  dir: string;
  tokenFile: string;
  keyFile: string;
  routingKey: string;
  dataDir: string;
}

/** A token for the watcher (policy vault-console-watch), written 0600 like Vault Agent's sink. */
export async function watchFiles(bao: Pick<OpenBaoInstance, 'addr' | 'rootToken'>): Promise<WatchFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'vc-watch-'));
  const tok = await baoRequest<{ auth: { client_token: string } }>(bao.addr, 'POST', 'auth/token/create-orphan', {
    token: bao.rootToken,
    body: { policies: ['vault-console-watch'], ttl: '4h', display_name: 'watch' },
  });
  const tokenFile = join(dir, 'token');
  await writeFile(tokenFile, tok.auth.client_token, { mode: 0o600 });
  const routingKey = randomBytes(16).toString('hex');
  const keyFile = join(dir, 'pagerduty.key');
  await writeFile(keyFile, `${routingKey}\n`, { mode: 0o600 });
  await chmod(keyFile, 0o600);
  return { dir, tokenFile, keyFile, routingKey, dataDir: join(dir, 'data') };
}

export class WatcherProcess {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  exitCode: number | null = null;
  signal: NodeJS.Signals | null = null;
  private exited: Promise<void>;

  constructor(
    readonly child: ChildProcess,
    readonly metricsUrl: string | null,
  ) {
    let bufOut = '';
    let bufErr = '';
    child.stdout!.on('data', (c: Buffer) => {
      bufOut += c.toString('utf8');
      const lines = bufOut.split('\n');
      bufOut = lines.pop()!;
      this.stdout.push(...lines);
    });
    child.stderr!.on('data', (c: Buffer) => {
      bufErr += c.toString('utf8');
      const lines = bufErr.split('\n');
      bufErr = lines.pop()!;
      this.stderr.push(...lines);
    });
    this.exited = new Promise((r) =>
      child.once('exit', (code, sig) => {
        if (bufErr) this.stderr.push(bufErr);
        if (bufOut) this.stdout.push(bufOut);
        this.exitCode = code;
        this.signal = sig;
        r();
      }),
    );
  }

  get alive(): boolean {
    return this.exitCode === null && this.signal === null;
  }

  log(): string {
    return this.stderr.join('\n');
  }

  async waitForLog(re: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.stderr.find((l) => re.test(l));
      if (hit) return hit;
      if (!this.alive) throw new Error(`watcher exited (${this.exitCode ?? this.signal}) before logging ${re}: ${this.log()}`);
      if (Date.now() > deadline) throw new Error(`watcher did not log ${re} within ${timeoutMs} ms: ${this.log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async metrics(): Promise<string> {
    if (!this.metricsUrl) throw new Error('no metrics endpoint');
    const r = await fetch(this.metricsUrl, { signal: AbortSignal.timeout(5_000) });
    return r.text();
  }

  /** The value of one sample (no labels, or an exact label set), or null when absent. */
  async sample(name: string, labels = ''): Promise<number | null> {
    const text = await this.metrics();
    const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
    return line ? Number(line.split(' ').at(-1)) : null;
  }

  async stop(): Promise<void> {
    if (this.alive) this.child.kill('SIGTERM');
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }

  async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }

  wait(): Promise<void> {
    return this.exited;
  }
}

export interface StartWatcherOptions {
  bao: Pick<OpenBaoInstance, 'addr' | 'auditLogPath'>;
  files: WatchFiles;
  eventsUrl: string;
  env?: Record<string, string>;
  args?: string[];
  /** false: no /metrics endpoint. */
  metrics?: boolean;
  /** Run the built CLI (bin/vault-console.mjs, as installed) instead of the source through tsx. */
  built?: boolean;
}

/** Starts `vault-console watch` as the systemd unit would: environment configuration only. */
export async function startWatcher(o: StartWatcherOptions): Promise<WatcherProcess> {
  const port = o.metrics === false ? null : await freeLoopbackPort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: o.files.dir,
    VAULT_ADDR: o.bao.addr,
    VAULT_CONSOLE_WATCH_TOKEN_FILE: o.files.tokenFile,
    VAULT_CONSOLE_WATCH_ROUTING_KEY_FILE: o.files.keyFile,
    VAULT_CONSOLE_WATCH_EVENTS_URL: o.eventsUrl,
    VAULT_CONSOLE_WATCH_DATA_DIR: o.files.dataDir,
    VAULT_CONSOLE_WATCH_AUDIT_LOG: o.bao.auditLogPath,
    VAULT_CONSOLE_WATCH_POLL_INTERVAL: '1s',
    VAULT_CONSOLE_WATCH_HEARTBEAT_INTERVAL: '2s',
    VAULT_CONSOLE_WATCH_RETRY_BASE: '200ms',
    VAULT_CONSOLE_WATCH_RETRY_MAX: '2s',
    VAULT_CONSOLE_WATCH_METRICS_ADDRESS: port === null ? 'none' : `127.0.0.1:${port}`,
    VAULT_CONSOLE_WATCH_ID: 'test-watcher',
    // Nothing may leave loopback: the DKIM DNS re-check asks a closed loopback port unless a test starts Knot.
    VAULT_CONSOLE_DNS_RESOLVERS: process.env.VAULT_CONSOLE_DNS_RESOLVERS ?? '127.0.0.1:9',
    ...o.env,
  };
  const entry = o.built ? [join(ROOT, 'bin', 'vault-console.mjs')] : [...TSX_LOADER, CLI];
  const child = spawn(process.execPath, [...entry, 'watch', ...(o.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
  const w = new WatcherProcess(child, port === null ? null : `http://127.0.0.1:${port}/metrics`);
  return w;
}

/** Waits until the watcher has polled Vault at least once and serves metrics. */
export async function watcherReady(w: WatcherProcess, timeoutMs = 60_000): Promise<void> {
  await w.waitForLog(/\[watch\] watching /, timeoutMs);
  if (!w.metricsUrl) return;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await w.sample('vault_console_watch_last_poll_timestamp_seconds')) !== null) return;
    } catch {
      // not listening yet
    }
    if (!w.alive) throw new Error(`watcher exited: ${w.log()}`);
    if (Date.now() > deadline) throw new Error(`watcher not ready: ${w.log()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
