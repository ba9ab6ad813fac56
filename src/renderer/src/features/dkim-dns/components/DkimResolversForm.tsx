// The DNS resolvers the active connection profile's DKIM checks ask. Empty: the
// environment's (VAULT_CONSOLE_DNS_RESOLVERS) or the system's. Main validates and
// normalises the list; only IP addresses with optional ports are accepted.
import { useEffect, useState } from 'react';
import type { ResolverSettings } from '../../../../../shared/contract';
import { call, errorMessage } from '../../../lib/ipc-client';

export function DkimResolversForm({ onSaved }: { onSaved?: (s: ResolverSettings) => void }) {
  const [settings, setSettings] = useState<ResolverSettings | null>(null);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void call('dkim:resolvers')
      .then((s) => {
        setSettings(s);
        setText(s.configured.join(', '));
      })
      .catch((err: unknown) => setError(errorMessage(err)));
  }, []);

  const save = async () => {
    try {
      const list = text.split(/[\s,]+/).filter(Boolean);
      const s = await call('dkim:set-resolvers', { resolvers: list });
      setSettings(s);
      setText(s.configured.join(', '));
      setError(null);
      onSaved?.(s);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <form
      className="inline-form"
      data-testid="dkim-resolvers-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label>
        DNS resolvers of this connection profile (IP or IP:port, comma-separated; empty = {settings?.source === 'environment' ? 'the environment’s' : 'the system’s'})
        <input value={text} onChange={(e) => setText(e.target.value)} placeholder="192.0.2.53, [2001:db8::53]:5353" data-testid="dkim-resolvers-input" />
      </label>
      <button type="submit" className="small" data-testid="dkim-resolvers-save">
        Save
      </button>
      {settings && <span className="muted small"> now asking: {settings.effective.join(', ') || 'none'}</span>}
      {error && (
        <p className="error" role="alert" data-testid="dkim-resolvers-error">
          {error}
        </p>
      )}
    </form>
  );
}
