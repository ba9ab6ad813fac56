// The watcher with the real Prometheus and Alertmanager (Debian packages) on loopback:
// Prometheus scrapes /metrics and, through its HTTP API, sees vault_console_vault_sealed
// go from 0 to 1 after a seal; its rules (resources/monitoring) fire
// VaultConsoleVaultSealed, and Alertmanager, running the example configuration with local
// receivers, routes it to PagerDuty (an Events v2 receiver that checks the schema) and to
// the ops webhook.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baoRequest } from '../../services/openbao/openbao-api';
import { startOpenBao, unsealOpenBao, type OpenBaoInstance } from '../../services/openbao/openbao';
import { waitFor } from '../../services/openbao/process';
import { promQuery, startAlertmanager, startPrometheus, type Running } from '../../services/prometheus/prometheus';
import { PagerDutyReceiver } from './support/pagerduty-receiver';
import { ROOT, startWatcher, watcherReady, watchFiles, type WatcherProcess, type WatchFiles } from './support/watch-fixtures';

interface WebhookAlert {
  status: string;
  labels: Record<string, string>;
}

let bao: OpenBaoInstance;
let files: WatchFiles;
let watcher: WatcherProcess;
let watcherRx: PagerDutyReceiver;
let amRx: PagerDutyReceiver;
let prometheus: Running;
let alertmanager: Running;
let webhook: Server;
const hooks: { status: string; alerts: WebhookAlert[] }[] = [];

beforeAll(async () => {
  bao = await startOpenBao();
  files = await watchFiles(bao);
  watcherRx = new PagerDutyReceiver(files.routingKey);
  await watcherRx.start();
  watcher = await startWatcher({ bao, files, eventsUrl: watcherRx.url });
  await watcherReady(watcher);

  // Alertmanager's own PagerDuty key, in a 0600 file as the example expects.
  const amKey = randomBytes(16).toString('hex');
  amRx = new PagerDutyReceiver(amKey);
  await amRx.start();
  const amKeyFile = join(files.dir, 'am-pagerduty.key');
  await writeFile(amKeyFile, amKey, { mode: 0o600 });
  webhook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hooks.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { status: string; alerts: WebhookAlert[] });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', () => r()));
  const hookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/vault-console-alerts`;

  // The example as shipped, with local receivers and test-speed grouping.
  const example = await readFile(join(ROOT, 'resources', 'monitoring', 'alertmanager.example.yml'), 'utf8');
  const amConfig = example
    .replace('https://events.pagerduty.com/v2/enqueue', amRx.url)
    .replace('/etc/prometheus/alertmanager/pagerduty-vault.key', amKeyFile)
    .replace('http://127.0.0.1:9099/vault-console-alerts', hookUrl)
    .replace('group_wait: 30s', 'group_wait: 1s')
    .replace('group_interval: 5m', 'group_interval: 2s');
  expect(amConfig).not.toBe(example);
  alertmanager = await startAlertmanager(amConfig);

  const metricsTarget = new URL(watcher.metricsUrl!).host;
  prometheus = await startPrometheus(
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'rule_files:',
      `  - ${join(ROOT, 'resources', 'monitoring', 'vault-console-rules.yml')}`,
      'alerting:',
      '  alertmanagers:',
      '    - static_configs:',
      `        - targets: ['${new URL(alertmanager.url).host}']`,
      'scrape_configs:',
      '  - job_name: vault-console-watch',
      '    static_configs:',
      `      - targets: ['${metricsTarget}']`,
      '',
    ].join('\n'),
  );
}, 240_000);

afterAll(async () => {
  await prometheus?.stop();
  await alertmanager?.stop();
  await watcher?.stop();
  await watcherRx?.stop();
  await amRx?.stop();
  webhook?.close();
  await bao?.stop({ removeData: true });
});

describe('watch with Prometheus and Alertmanager', () => {
  it('Prometheus scrapes the watcher and sees sealed go to 1; Alertmanager routes the rule’s alert to PagerDuty and the webhook', async () => {
    await waitFor('Prometheus scraped the watcher', async () => (await promQuery(prometheus.url, 'up{job="vault-console-watch"}'))[0]?.value === 1, { timeoutMs: 60_000 });
    await waitFor('sealed is 0 in Prometheus', async () => (await promQuery(prometheus.url, 'vault_console_vault_sealed'))[0]?.value === 0, { timeoutMs: 30_000 });
    const rules = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as { data: { groups: { rules: { name: string }[] }[] } };
    expect(rules.data.groups.flatMap((g) => g.rules.map((r) => r.name))).toContain('VaultConsoleVaultSealed');

    await baoRequest(bao.addr, 'PUT', 'sys/seal', { token: bao.rootToken });
    await waitFor('sealed is 1 in Prometheus', async () => (await promQuery(prometheus.url, 'vault_console_vault_sealed'))[0]?.value === 1, { timeoutMs: 60_000 });
    const sample = (await promQuery(prometheus.url, 'vault_console_vault_sealed'))[0]!;
    expect(sample.labels).toMatchObject({ job: 'vault-console-watch', instance: new URL(watcher.metricsUrl!).host });

    // Prometheus -> Alertmanager -> PagerDuty (Events v2, schema checked) ...
    const page = await amRx.waitFor((e) => e.action === 'trigger', 90_000, 'Alertmanager trigger');
    expect(page.valid, page.problems.join('; ')).toBe(true);
    expect(page.severity).toBe('critical');
    expect(page.summary).toContain('Vault is sealed');
    // ... and to the ops webhook (continue: true).
    await waitFor('webhook got the alert', async () => hooks.some((h) => h.alerts.some((a) => a.labels.alertname === 'VaultConsoleVaultSealed' && a.status === 'firing')), { timeoutMs: 60_000 });
    const alert = hooks.flatMap((h) => h.alerts).find((a) => a.labels.alertname === 'VaultConsoleVaultSealed')!;
    expect(alert.labels).toMatchObject({ severity: 'critical', job: 'vault-console-watch' });
    // The watcher paged its own receiver too.
    expect(watcherRx.accepted((e) => e.action === 'trigger')).toHaveLength(1);

    await unsealOpenBao(bao);
    await waitFor('sealed back to 0 in Prometheus', async () => (await promQuery(prometheus.url, 'vault_console_vault_sealed'))[0]?.value === 0, { timeoutMs: 60_000 });
    await amRx.waitFor((e) => e.action === 'resolve', 90_000, 'Alertmanager resolve');
  }, 300_000);
});
