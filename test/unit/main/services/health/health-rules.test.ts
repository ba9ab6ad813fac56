import { describe, expect, it } from 'vitest';
import { auditTone, backupView, HOUR_MS, worstTone } from '../../../../../src/main/services/health/health-rules';
import { sealConfirmation, shareLength } from '../../../../../src/main/services/health/break-glass';

const NOW = Date.UTC(2026, 0, 10, 12);
const ago = (h: number) => new Date(NOW - h * HOUR_MS);

describe('backup cards', () => {
  it('show red "No backup recorded" and Critical when the source has nothing', () => {
    const v = backupView(null, NOW);
    expect(v.lastBackup).toMatchObject({ tone: 'red', label: 'No backup recorded', at: null });
    expect(v.health).toMatchObject({ tone: 'red', label: 'Critical' });
  });

  it('colour the last backup green under 24 h, yellow 24-48 h, red over 48 h', () => {
    const ok = { lastAttemptFailed: false, bucketVersioning: true };
    expect(backupView({ ...ok, lastSuccessAt: ago(23.9) }, NOW).lastBackup.tone).toBe('green');
    expect(backupView({ ...ok, lastSuccessAt: ago(24) }, NOW).lastBackup.tone).toBe('amber');
    expect(backupView({ ...ok, lastSuccessAt: ago(48) }, NOW).lastBackup.tone).toBe('amber');
    expect(backupView({ ...ok, lastSuccessAt: ago(48.1) }, NOW).lastBackup.tone).toBe('red');
  });

  it('call backups Healthy only when recent, the last attempt succeeded and versioning is on', () => {
    expect(backupView({ lastSuccessAt: ago(2), lastAttemptFailed: false, bucketVersioning: true }, NOW).health.label).toBe('Healthy');
    expect(backupView({ lastSuccessAt: ago(2), lastAttemptFailed: true, bucketVersioning: true }, NOW).health.label).toBe('Warning');
    expect(backupView({ lastSuccessAt: ago(2), lastAttemptFailed: false, bucketVersioning: false }, NOW).health).toMatchObject({
      label: 'Warning',
      detail: 'Bucket versioning is off.',
    });
    expect(backupView({ lastSuccessAt: ago(30), lastAttemptFailed: false, bucketVersioning: true }, NOW).health.label).toBe('Warning');
    expect(backupView({ lastSuccessAt: ago(72), lastAttemptFailed: false, bucketVersioning: true }, NOW).health.label).toBe('Critical');
  });
});

describe('audit devices', () => {
  it('warn with fewer than two devices and go red with none', () => {
    expect(auditTone(0)).toBe('red');
    expect(auditTone(1)).toBe('amber');
    expect(auditTone(2)).toBe('green');
  });
});

describe('overall tone', () => {
  it('is the worst traffic light; informational cards do not count', () => {
    expect(worstTone(['green', 'neutral', 'amber'])).toBe('amber');
    expect(worstTone(['green', 'red', 'amber'])).toBe('red');
    expect(worstTone(['neutral'])).toBe('neutral');
  });
});

describe('unseal key shares', () => {
  it('accept the base64 and hex forms Vault prints (33 bytes)', () => {
    const bytes = Buffer.alloc(33, 7);
    expect(shareLength(bytes.toString('base64'))).toBe(33);
    expect(shareLength(bytes.toString('hex'))).toBe(33);
  });

  it('refuse text that is not a share, without quoting it', () => {
    const secretish = 'not-a-share!!';
    expect(() => shareLength(secretish)).toThrow(/not an unseal key share/);
    try {
      shareLength(secretish);
    } catch (err) {
      expect((err as Error).message).not.toContain(secretish);
    }
    expect(() => shareLength(Buffer.alloc(8).toString('base64'))).toThrow(/decodes to 8 bytes/);
    expect(() => shareLength(Buffer.alloc(64).toString('base64'))).toThrow(/decodes to 64 bytes/);
  });

  it('ask for the cluster name to confirm sealing, or "seal" when there is none', () => {
    expect(sealConfirmation({ clusterName: 'vault-cluster-1' })).toBe('vault-cluster-1');
    expect(sealConfirmation({ clusterName: '' })).toBe('seal');
  });
});
