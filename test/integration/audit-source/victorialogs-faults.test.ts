// VictoriaLogs down, slow, refusing the credentials or cutting its answer: each is a
// clear state of the audit source (and an error the view shows), never a short result
// presented as whole. Against a real VictoriaLogs, through a loopback proxy that
// misbehaves on command and VictoriaLogs' own basic auth.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LogsqlClient, SourceError } from '../../../src/main/services/audit-source/logsql-client';
import { VictoriaLogsAuditSource } from '../../../src/main/services/audit-source/victorialogs-source';
import { AuditAlerts } from '../../../src/main/services/audit/audit-alerts';
import { DEFAULT_ALERT_SETTINGS } from '../../../src/main/services/audit/alert-detector';
import { createLogger } from '../../../src/main/services/log/logger';
import { AuditRepo } from '../../../src/main/services/storage/audit-repo';
import { openDatabase } from '../../../src/main/services/storage/database';
import { systemClock } from '../../../src/main/services/time/clock';
import { startFaultProxy, type FaultProxy } from '../../services/victorialogs/fault-proxy';
import { startVictoriaLogs, type VictoriaLogsInstance } from '../../services/victorialogs/victorialogs';
import { basicAuth, FIXTURES, forwardFile, SIGNED_OUT_SESSION, STREAM, vlClient } from './both-sources';

const FIXTURE = join(FIXTURES, 'openbao-2.4-audit.jsonl');
let vl: VictoriaLogsInstance;
let proxy: FaultProxy;

beforeAll(async () => {
  vl = await startVictoriaLogs();
  await forwardFile(vl, FIXTURE, vl.dataDir);
  await vl.flush();
  proxy = await startFaultProxy(vl.url);
}, 120_000);

afterEach(() => {
  proxy.mode = { kind: 'pass' };
});

afterAll(async () => {
  await proxy?.close();
  await vl?.stop();
});

async function failure(p: Promise<unknown>): Promise<SourceError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

describe('audit source faults (real VictoriaLogs)', () => {
  it('a whole answer through the proxy first (the proxy itself changes nothing)', async () => {
    const source = new VictoriaLogsAuditSource({ client: vlClient(proxy.url), stream: STREAM });
    const page = await source.page({}, null, 1000);
    expect(page.events.length).toBe((await source.counts({})).total);
    expect(source.health().state).toBe('ok');
    source.close();
  });

  it('an answer cut off mid-stream is an error ("partial"), never a short page', async () => {
    const source = new VictoriaLogsAuditSource({ client: vlClient(proxy.url), stream: STREAM });
    proxy.mode = { kind: 'cut', afterBytes: 20_000 };
    const err = await failure(source.page({}, null, 1000));
    expect(err.state).toBe('partial');
    expect(err.code).toBe('SOURCE_UNAVAILABLE');
    expect(err.message).toMatch(/cut its answer short/);
    expect(source.health()).toMatchObject({ state: 'partial' });
    // Exports stop the same way: no file that looks whole (exportAudit removes its temp file on error).
    await failure((async () => {
      for await (const c of source.chunks({}, 1000)) void c;
    })());
    proxy.mode = { kind: 'pass' };
    await source.page({}, null, 10);
    expect(source.health().state).toBe('ok');
    source.close();
  });

  it('VictoriaLogs stopped mid-query: the answer in flight is "partial", the next request "unreachable"; back once it restarts', async () => {
    const own = await startVictoriaLogs();
    let again: VictoriaLogsInstance | null = null;
    try {
      await forwardFile(own, FIXTURE, own.dataDir);
      await own.flush();
      const p = await startFaultProxy(own.url);
      const source = new VictoriaLogsAuditSource({ client: vlClient(p.url, { timeoutMs: 5_000 }), stream: STREAM });
      const before = (await source.counts({})).total;
      expect(before).toBeGreaterThan(20);
      // Half the answer has left; then the server is stopped and the connection drops.
      p.mode = { kind: 'cut', afterBytes: 2_000, beforeCut: () => own.stop({ removeData: false }) };
      const err = await failure(source.page({}, null, 1000));
      expect(err.state).toBe('partial');
      p.mode = { kind: 'pass' };
      const down = await failure(vlClient(`http://127.0.0.1:${own.port}`, { timeoutMs: 5_000 }).query('* | limit 1'));
      expect(down.state).toBe('unreachable');
      const direct = new VictoriaLogsAuditSource({ client: vlClient(`http://127.0.0.1:${own.port}`, { timeoutMs: 5_000 }), stream: STREAM });
      expect((await direct.check()).state).toBe('unreachable');
      expect(direct.health().message).toMatch(/not reachable/);
      // The same data dir, the same port: the source answers again.
      again = await startVictoriaLogs({ dataDir: own.dataDir, port: own.port });
      expect((await direct.check()).state).toBe('ok');
      expect((await direct.counts({})).total).toBe(before);
      direct.close();
      source.close();
      await p.close();
    } finally {
      // Whatever failed above, no server is left running.
      await own.stop({ removeData: !again }).catch(() => undefined);
      await again?.stop({ removeData: true }).catch(() => undefined);
    }
  });

  it('a 10 s response: the query times out with a clear state, nothing is shown', async () => {
    const source = new VictoriaLogsAuditSource({ client: vlClient(proxy.url, { timeoutMs: 1_500 }), stream: STREAM });
    proxy.mode = { kind: 'delay', ms: 10_000 };
    const err = await failure(source.counts({}));
    expect(err.state).toBe('timeout');
    expect(err.message).toMatch(/did not answer within 1\.5 s/);
    expect(source.health().state).toBe('timeout');
    source.close();
  });

  it('a keychain that never gives the credentials is a timeout, and frees its search slot for the next search', async () => {
    // The first two reads of the auth header hang (a locked Secret Service waiting on a prompt);
    // the searches queue two at a time, so before the fix the third never started.
    let calls = 0;
    const client = new LogsqlClient({
      url: vl.url,
      timeoutMs: 1_500,
      maxConcurrent: 2,
      authHeader: () => (++calls <= 2 ? new Promise<Record<string, string>>(() => undefined) : Promise.resolve({})),
    });
    const source = new VictoriaLogsAuditSource({ client, stream: STREAM });
    const [a, b] = [failure(source.counts({})), failure(source.page({}, null, 10))];
    const third = source.page({}, null, 10);
    for (const err of [await a, await b]) {
      expect(err.state).toBe('timeout');
      expect(err.message).toMatch(/keychain did not give the credentials .* within 1\.5 s/);
    }
    expect((await third).events.length).toBe(10);
    source.close();
  });

  it('a credential Node cannot put in a header (stored before the check, or edited in the keychain) is a clear error, never a crash of main', async () => {
    const unhandled: unknown[] = [];
    const onErr = (e: unknown) => unhandled.push(e);
    process.on('uncaughtException', onErr);
    try {
      for (const value of ['Bearer s3cret-token\n', 'Bearer s3cret-€']) {
        const client = new LogsqlClient({ url: vl.url, timeoutMs: 300, authHeader: async () => ({ authorization: value }) });
        const source = new VictoriaLogsAuditSource({ client, stream: STREAM });
        const err = await failure(source.page({}, null, 10));
        expect(err.state).toBe('failed');
        expect(err.message).toMatch(/the request could not be made \(ERR_INVALID_CHAR\)/);
        expect(err.message).not.toContain('s3cret');
        source.close();
      }
      // Past the request's deadline: the timer that used to throw outside any handler.
      await new Promise((r) => setTimeout(r, 600));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('uncaughtException', onErr);
    }
  });

  it('one deadline for the whole request: a slow keychain leaves the server only the time that is left', async () => {
    // 1 s for the credentials, 1 s for the answer, 1.5 s in all: a timeout (each used to get the full 1.5 s).
    const client = new LogsqlClient({ url: proxy.url, timeoutMs: 1_500, authHeader: () => new Promise((r) => setTimeout(() => r({}), 1_000)) });
    const source = new VictoriaLogsAuditSource({ client, stream: STREAM });
    proxy.mode = { kind: 'delay', ms: 1_000 };
    const err = await failure(source.page({}, null, 10));
    expect(err.state).toBe('timeout');
    source.close();
  });

  it('alerts after the source is replaced by one with the same label (new credentials) ask the new one: a refusal is not hidden by the old answer', async () => {
    const secured = await startVictoriaLogs({ basicAuth: { username: 'auditor', password: 'S3cret-vl-pass' } });
    try {
      await forwardFile(secured, FIXTURE, secured.dataDir, STREAM, basicAuth('S3cret-vl-pass'));
      await secured.flush();
      let active = new VictoriaLogsAuditSource({ client: vlClient(secured.url, { auth: basicAuth('S3cret-vl-pass') }), stream: STREAM });
      const alerts = new AuditAlerts({ repo: new AuditRepo(openDatabase(':memory:')), session: SIGNED_OUT_SESSION, clock: systemClock, log: createLogger('test'), source: () => active });
      expect((await alerts.alerts({}, DEFAULT_ALERT_SETTINGS)).total).toBeGreaterThan(0);
      // The same endpoint and stream (so the same label and, within 10 s, the same version); a password now refused.
      const old = active;
      active = new VictoriaLogsAuditSource({ client: vlClient(secured.url, { auth: basicAuth('changed-and-wrong') }), stream: STREAM });
      expect(active.label).toBe(old.label);
      const err = await failure(alerts.alerts({}, DEFAULT_ALERT_SETTINGS));
      expect(err.state).toBe('unauthorized');
      for (const s of [old, active]) s.close();
    } finally {
      await secured.stop();
    }
  });

  it('a 401: wrong or missing credentials are "unauthorized", the right ones work, and the token never shows in an error', async () => {
    const secured = await startVictoriaLogs({ basicAuth: { username: 'auditor', password: 'S3cret-vl-pass' } });
    try {
      const none = new VictoriaLogsAuditSource({ client: vlClient(secured.url), stream: STREAM });
      const e1 = await failure(none.page({}, null, 10));
      expect(e1.state).toBe('unauthorized');
      expect(e1.code).toBe('PERMISSION_DENIED');
      const wrongAuth = basicAuth('wrong-password-xyz');
      const wrong = new VictoriaLogsAuditSource({ client: vlClient(secured.url, { auth: wrongAuth }), stream: STREAM });
      const e2 = await failure(wrong.counts({}));
      expect(e2.state).toBe('unauthorized');
      expect(e2.message).not.toContain('wrong-password-xyz');
      expect(e2.message).not.toContain(wrongAuth.authorization.slice(6));
      const right = new VictoriaLogsAuditSource({ client: vlClient(secured.url, { auth: basicAuth('S3cret-vl-pass') }), stream: STREAM });
      expect((await right.check()).state).toBe('ok');
      for (const s of [none, wrong, right]) s.close();
    } finally {
      await secured.stop();
    }
  });
});
