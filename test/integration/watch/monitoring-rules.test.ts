// The monitoring files in resources/monitoring, checked by the tools Prometheus and
// Alertmanager ship (Debian's prometheus and prometheus-alertmanager packages):
// the rules parse, their unit tests (series that fire and clear) pass, the example
// Alertmanager configuration is valid and routes each severity where it says.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/watch-fixtures';

const run = promisify(execFile);
const DIR = join(ROOT, 'resources', 'monitoring');
const RULES = join(DIR, 'vault-console-rules.yml');
const RULE_TESTS = join(DIR, 'vault-console-rules.test.yml');
const AM = join(DIR, 'alertmanager.example.yml');

async function tool(cmd: string, args: string[], cwd = DIR): Promise<{ code: number; out: string }> {
  try {
    const r = await run(cmd, args, { cwd, timeout: 60_000 });
    return { code: 0, out: `${r.stdout}${r.stderr}` };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('monitoring rules and the Alertmanager example', () => {
  it('promtool check rules accepts the rules file', async () => {
    const r = await tool('promtool', ['check', 'rules', RULES]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('promtool test rules: every alert fires on its series and clears', async () => {
    const r = await tool('promtool', ['test', 'rules', RULE_TESTS]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('SUCCESS');
    // Every alert in the rules file has a unit test that expects it firing.
    const rules = await readFile(RULES, 'utf8');
    const tests = await readFile(RULE_TESTS, 'utf8');
    const alerts = [...rules.matchAll(/- alert: (\S+)/g)].map((m) => m[1]!);
    expect(alerts.length).toBeGreaterThan(10);
    for (const a of alerts) expect(tests, `${a} has no rule test`).toMatch(new RegExp(`alertname: ${a}\\n\\s+exp_alerts:\\n\\s+- exp_labels`));
  });

  it('the rule tests can fail: a weakened threshold is caught', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vc-rules-'));
    await cp(DIR, dir, { recursive: true });
    const rules = await readFile(join(dir, 'vault-console-rules.yml'), 'utf8');
    await writeFile(join(dir, 'vault-console-rules.yml'), rules.replace('increase(vault_console_failed_logins_total[5m]) >= 5', 'increase(vault_console_failed_logins_total[5m]) >= 50'));
    const r = await tool('promtool', ['test', 'rules', 'vault-console-rules.test.yml'], dir);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('VaultConsoleFailedAuthSpike');
  });

  it('amtool check-config accepts the Alertmanager example', async () => {
    const r = await tool('amtool', ['check-config', AM]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('SUCCESS');
  });

  it('the example routes critical and error to PagerDuty and the webhook, everything else to the webhook', async () => {
    const route = async (...labels: string[]) => (await tool('amtool', ['config', 'routes', 'test', `--config.file=${AM}`, ...labels])).out.split('\n').find((l) => l.trim() && !l.startsWith('Warning'))?.trim();
    expect(await route('alertname=VaultConsoleVaultSealed', 'severity=critical')).toBe('pagerduty-vault,ops-webhook');
    expect(await route('alertname=VaultConsoleBackupStale', 'severity=error')).toBe('pagerduty-vault,ops-webhook');
    expect(await route('alertname=VaultConsoleSecretsOverdue', 'severity=warning')).toBe('ops-webhook');
    expect(await route('alertname=VaultConsoleVaultSealedByBreakGlass', 'severity=info')).toBe('ops-webhook');
  });
});
