import { useEffect, useState } from 'react';
import { countdown, useSessionStore } from '../store';

/** Shown from 5 minutes before a token that cannot be renewed expires. */
export function ExpiryBanner() {
  const info = useSessionStore((s) => s.info);
  const [now, setNow] = useState(() => Date.now());
  const show = Boolean(info?.signedIn && info.expiringSoon && info.expiresAt);
  useEffect(() => {
    if (!show) return;
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, [show]);
  if (!show || !info?.expiresAt) return null;
  return (
    <div className="banner warning" role="alert" data-testid="expiry-banner">
      Your Vault session expires in <strong>{countdown(info.expiresAt, now)}</strong> and cannot be renewed. Sign in again to
      keep working.
    </div>
  );
}
