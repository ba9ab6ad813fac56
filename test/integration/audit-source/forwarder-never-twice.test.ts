// The forwarder (`vault-console audit forward`, and the watch command's forwarding) sends
// each event of Vault's audit log to VictoriaLogs once: not twice after a crash between
// VictoriaLogs accepting a batch and the cursor moving, nor after VictoriaLogs was down,
// nor on a second run; and none lost. Against a real VictoriaLogs.
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importAuditFile } from '../../../src/main/services/audit/audit-importer';
import { AuditForwarder, victoriaLogsSink, type ForwardSink } from '../../../src/main/services/audit-source/forwarder';
import { createLogger } from '../../../src/main/services/log/logger';
import { AuditRepo } from '../../../src/main/services/storage/audit-repo';
import { openDatabase } from '../../../src/main/services/storage/database';
import { startVictoriaLogs, type VictoriaLogsInstance } from '../../services/victorialogs/victorialogs';
import { FIXTURES, STREAM, vlClient } from './both-sources';

let vl: VictoriaLogsInstance;
let dir: string;
let file: string;
let expected: number;

beforeEach(async () => {
  vl = await startVictoriaLogs();
  dir = mkdtempSync(join(tmpdir(), 'vc-forward-'));
  file = join(dir, 'audit.log');
  copyFileSync(join(FIXTURES, 'openbao-2.4-adversary.jsonl'), file);
  const repo = new AuditRepo(openDatabase(join(dir, 'db.sqlite')));
  await importAuditFile(repo, file);
  expected = repo.counts({}, 1e6).total;
}, 60_000);

afterEach(async () => {
  await vl?.stop();
});

async function stored(): Promise<{ n: number; distinct: number }> {
  await vl.flush();
  const rows = await vlClient(vl.url).query('* | stats count() as n, count_uniq(key) as u');
  return { n: Number(rows[0]!.n), distinct: Number(rows[0]!.u) };
}

function forwarder(sink: ForwardSink, extra: Partial<ConstructorParameters<typeof AuditForwarder>[0]> = {}) {
  return new AuditForwarder({ file, cursorPath: join(dir, 'cursor.json'), sink, stream: STREAM, log: createLogger('forward'), batchEvents: 100, readChunk: 16 * 1024, sleep: async () => undefined, ...extra });
}

describe('audit forward: batched, retried, never twice (real VictoriaLogs)', () => {
  it('sends every event once in batches; a second run sends nothing', async () => {
    const f = forwarder(victoriaLogsSink(vlClient(vl.url), STREAM));
    const r = await f.runOnce();
    await f.stop();
    expect(r.sent).toBe(expected);
    expect(r.batches).toBeGreaterThan(3);
    const again = forwarder(victoriaLogsSink(vlClient(vl.url), STREAM));
    expect((await again.runOnce()).sent).toBe(0);
    await again.stop();
    expect(await stored()).toEqual({ n: expected, distinct: expected });
  });

  it('a crash after VictoriaLogs accepted a batch but before the cursor moved: the restart sends none of it again', async () => {
    const real = victoriaLogsSink(vlClient(vl.url), STREAM);
    let batches = 0;
    // The third batch reaches VictoriaLogs, then the process "dies" before the cursor is written.
    const crashing: ForwardSink = {
      present: real.present,
      async send(lines, n) {
        await real.send(lines, n);
        if (++batches === 3) throw Object.assign(new Error('process killed'), { fatal: true });
      },
    };
    const first = forwarder(crashing, { attempts: 1 });
    await expect(first.runOnce()).rejects.toThrow('process killed');
    await first.stop();
    const cursor = JSON.parse(readFileSync(join(dir, 'cursor.json'), 'utf8')) as { inflight: { keys: string[] } | null };
    const inflight = cursor.inflight?.keys.length ?? 0;
    expect(inflight).toBeGreaterThanOrEqual(100);
    await vl.flush();
    const second = forwarder(victoriaLogsSink(vlClient(vl.url), STREAM));
    const r = await second.runOnce();
    await second.stop();
    expect(r.alreadyThere).toBe(inflight);
    expect(await stored()).toEqual({ n: expected, distinct: expected });
  });

  it('VictoriaLogs down: retried with backoff, then the run stops with the cursor before the batch; nothing lost or doubled when it is back', async () => {
    const port = vl.port;
    const client = vlClient(`http://127.0.0.1:${port}`, { timeoutMs: 3_000 });
    const f1 = forwarder(victoriaLogsSink(client, STREAM), { attempts: 3 });
    // Half way through, the server goes away.
    let sent = 0;
    const sink = victoriaLogsSink(client, STREAM);
    const flaky: ForwardSink = {
      present: sink.present,
      async send(lines, n) {
        if (++sent === 4) await vl.stop({ removeData: false });
        await sink.send(lines, n);
      },
    };
    const f = forwarder(flaky, { attempts: 3 });
    await expect(f.runOnce()).rejects.toMatchObject({ state: 'unreachable' });
    expect(f.report.retries).toBe(2);
    const before = f.report.sent;
    expect(before).toBeGreaterThanOrEqual(300);
    await f.stop();
    await f1.stop();
    vl = await startVictoriaLogs({ dataDir: vl.dataDir, port });
    const f2 = forwarder(victoriaLogsSink(vlClient(vl.url), STREAM));
    const r = await f2.runOnce();
    await f2.stop();
    expect(r.sent).toBe(expected - before);
    expect(await stored()).toEqual({ n: expected, distinct: expected });
  });

  it('an answer lost after VictoriaLogs accepted a batch (a timeout): the retry sends only what is missing', async () => {
    const real = victoriaLogsSink(vlClient(vl.url), STREAM);
    let calls = 0;
    const lossy: ForwardSink = {
      present: real.present,
      async send(lines, n) {
        await real.send(lines, n);
        if (++calls === 2) {
          await vl.flush();
          throw Object.assign(new Error('answer lost'), {});
        }
      },
    };
    const f = forwarder(lossy, { attempts: 3 });
    const r = await f.runOnce();
    await f.stop();
    expect(r.retries).toBe(1);
    expect(r.alreadyThere).toBeGreaterThan(0);
    expect(await stored()).toEqual({ n: expected, distinct: expected });
  });

  it('a cursor file it did not write is refused, never taken as "start from 0"', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'cursor.json'), '{"version":1,"path":"/etc/other","inode":1,"offset":5}');
    const f = forwarder(victoriaLogsSink(vlClient(vl.url), STREAM));
    await expect(f.runOnce()).rejects.toThrow(/not one this forwarder wrote/);
    await f.stop();
    expect(await stored()).toEqual({ n: 0, distinct: 0 });
  });
});

describe('audit forward: a line posted with a real event\'s key (real VictoriaLogs)', () => {
  it('a first post that failed, and lines with the batch\'s keys posted by someone else before the retry: the real events are still sent', async () => {
    const real = victoriaLogsSink(vlClient(vl.url), STREAM);
    let calls = 0;
    let keys: string[] = [];
    const racing: ForwardSink = {
      present: real.present,
      async send(lines, n) {
        if (++calls === 1) {
          // The first post never arrives; meanwhile someone posts lines with its keys (Vault tells a caller its request id).
          keys = lines.trim().split('\n').map((l) => (JSON.parse(l) as { key: string }).key);
          const forged = lines.trim().split('\n').map((l) => JSON.stringify({ ...(JSON.parse(l) as object), action: 'list', forged: '1' }));
          await real.send(`${forged.join('\n')}\n`, forged.length);
          await vl.flush();
          throw new Error('connection reset');
        }
        await real.send(lines, n);
      },
    };
    const f = forwarder(racing, { attempts: 3 });
    const r = await f.runOnce();
    await f.stop();
    expect(r.retries).toBe(1);
    expect(r.sent).toBe(expected);
    await vl.flush();
    const rows = await vlClient(vl.url).query(`* key:in(${keys.map((k) => JSON.stringify(k)).join(',')}) -forged:="1" | stats count() as n`);
    expect(Number(rows[0]!.n)).toBe(keys.length);
  });
});
