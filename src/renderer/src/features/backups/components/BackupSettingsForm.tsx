import { useState, type FormEvent } from 'react';
import type { BackupSettingsView } from '../../../../../shared/contract';
import { errorMessage } from '../../../lib/ipc-client';
import { useBackupsStore } from '../store';

export function BackupSettingsForm({ settings, onSaved }: { settings: BackupSettingsView; onSaved: () => void }) {
  const configure = useBackupsStore((s) => s.configure);
  const [bucket, setBucket] = useState(settings.bucket);
  const [endpoint, setEndpoint] = useState(settings.endpoint ?? '');
  const [region, setRegion] = useState(settings.region || 'us-east-1');
  const [prefix, setPrefix] = useState(settings.prefix || 'vault-console/');
  const [retention, setRetention] = useState(String(settings.retentionDays));
  const [sse, setSse] = useState(settings.sse);
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secretAccessKey, setSecretAccessKey] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const days = Number(retention);
    if (!Number.isInteger(days) || days < 1) {
      setError('Retention must be a whole number of days, at least 1.');
      return;
    }
    try {
      await configure({
        bucket,
        endpoint,
        region,
        prefix,
        retentionDays: days,
        sse,
        forcePathStyle: endpoint !== '',
        ...(accessKeyId || secretAccessKey ? { accessKeyId, secretAccessKey } : {}),
      });
      setSecretAccessKey('');
      onSaved();
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <form className="card backup-settings" onSubmit={(e) => void submit(e)} data-testid="backup-settings">
      <h2>Backup destination</h2>
      <label>
        S3 bucket <input value={bucket} onChange={(e) => setBucket(e.target.value)} required data-testid="backup-bucket" />
      </label>
      <label>
        Endpoint (S3-compatible stores only) <input value={endpoint} onChange={(e) => setEndpoint(e.target.value)} placeholder="https://s3.example.com" data-testid="backup-endpoint" />
      </label>
      <label>
        Region <input value={region} onChange={(e) => setRegion(e.target.value)} data-testid="backup-region" />
      </label>
      <label>
        Prefix <input value={prefix} onChange={(e) => setPrefix(e.target.value)} data-testid="backup-prefix" />
      </label>
      <label>
        Retention (days) <input value={retention} onChange={(e) => setRetention(e.target.value)} inputMode="numeric" data-testid="backup-retention-days" />
      </label>
      <label>
        Server-side encryption{' '}
        <select value={sse} onChange={(e) => setSse(e.target.value as BackupSettingsView['sse'])} data-testid="backup-sse">
          <option value="AES256">SSE-S3 (AES256)</option>
          <option value="aws:kms">SSE-KMS</option>
          <option value="none">None requested</option>
        </select>
      </label>
      <label>
        Access key id <input value={accessKeyId} onChange={(e) => setAccessKeyId(e.target.value)} autoComplete="off" data-testid="backup-access-key" />
      </label>
      <label>
        Secret access key{' '}
        <input type="password" value={secretAccessKey} onChange={(e) => setSecretAccessKey(e.target.value)} autoComplete="off" data-testid="backup-secret-key" />
      </label>
      <p className="muted small">
        {settings.hasCredentials ? 'S3 keys are stored in the OS keychain. Leave blank to keep them.' : 'Keys go to the OS keychain; without keys the AWS default credential chain is used.'} A new
        bucket or endpoint forgets the stored keys: give them again with it. Endpoints are https (plain http only to this machine).
      </p>
      {settings.warnings.map((w) => (
        <p key={w} className="notice" role="note" data-testid="backup-settings-warning">
          {w}
        </p>
      ))}
      {error && (
        <p className="error" role="alert" data-testid="backup-settings-error">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" data-testid="backup-settings-save">
          Save
        </button>
      </div>
    </form>
  );
}
