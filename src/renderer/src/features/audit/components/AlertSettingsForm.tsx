// The suspicious-activity thresholds (spec defaults: 5 failed sign-ins in 5 minutes,
// more than 100 reads in 60 s, off-hours 02:00-06:00), kept in the local settings.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { toAlertForm, useAlertSettingsStore, type AlertSettingsForm as Form } from '../store';

function zones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  try {
    return intl.supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return [];
  }
}

export function AlertSettingsForm() {
  const s = useAlertSettingsStore();
  const { load } = s;
  const [form, setForm] = useState<Form | null>(null);
  const zoneList = useMemo(zones, []);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (s.settings && !form) setForm(toAlertForm(s.settings));
  }, [s.settings, form]);

  if (!form) {
    return (
      <section className="card" data-testid="audit-alert-settings">
        {s.error ? <p className="error">{s.error}</p> : <p className="muted">Loading…</p>}
      </section>
    );
  }

  const field = (key: keyof Form, label: string, unit: string) => (
    <label>
      {label}{' '}
      <input
        value={form[key]}
        onChange={(e) => {
          setForm({ ...form, [key]: e.target.value });
          useAlertSettingsStore.setState({ saved: false });
        }}
        inputMode="numeric"
        size={8}
        data-testid={`alert-setting-${key}`}
      />{' '}
      <span className="muted small">{unit}</span>
    </label>
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await s.save(form);
  };

  return (
    <form className="card alert-settings" onSubmit={(e) => void submit(e)} data-testid="audit-alert-settings">
      <h2>Alert thresholds</h2>
      <fieldset>
        <legend>Failed authentication (red), per name and auth mount (any address), per source address, and across names</legend>
        {field('failedAuthThreshold', 'At least', 'failed sign-ins')}
        {field('failedAuthWindowMinutes', 'within', 'minutes')}
      </fieldset>
      <fieldset>
        <legend>Bulk secret reads (yellow), per identity (an entity and all its tokens)</legend>
        {field('bulkReadThreshold', 'More than', 'tenant secret reads')}
        {field('bulkReadWindowSeconds', 'within', 'seconds')}
        {field('wideReadThreshold', 'or more than', 'different tenant secrets within 24 hours')}
      </fieldset>
      <fieldset>
        <legend>Deletion approvals (red when a delete has none in Vault's record)</legend>
        <label>
          The approver must hold the Vault policy{' '}
          <input
            value={form.approverPolicy}
            onChange={(e) => {
              setForm({ ...form, approverPolicy: e.target.value });
              useAlertSettingsStore.setState({ saved: false });
            }}
            size={24}
            data-testid="alert-setting-approverPolicy"
          />
        </label>
        {field('approvalValidHours', 'An approval is good for one delete within', 'hours')}
      </fieldset>
      <fieldset>
        <legend>Off-hours access (yellow)</legend>
        {field('offHoursStart', 'From', 'h (0-23)')}
        {field('offHoursEnd', 'to', 'h (0-24, may wrap past midnight)')}
        <label>
          Time zone{' '}
          <input
            value={form.timeZone}
            onChange={(e) => {
              setForm({ ...form, timeZone: e.target.value });
              useAlertSettingsStore.setState({ saved: false });
            }}
            list="audit-time-zones"
            data-testid="alert-setting-timeZone"
          />
          <datalist id="audit-time-zones">
            {zoneList.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
        </label>
      </fieldset>
      {s.error && (
        <p className="error" role="alert" data-testid="alert-settings-error">
          {s.error}
        </p>
      )}
      {s.saved && (
        <p className="muted" data-testid="alert-settings-saved">
          Saved. Alerts now use these thresholds.
        </p>
      )}
      <button type="submit" data-testid="alert-settings-save">
        Save thresholds
      </button>
    </form>
  );
}
