// A DNS TXT value shown whole (a DKIM key is ~410 characters: no box cuts it off), and
// the same record split into 255-character strings, as zone files and most DNS
// providers need it. Copy buttons for both forms.
import { useState } from 'react';
import { splitTxt, TXT_STRING_MAX, zoneFileTxt } from '../../../../../shared/inventory/dns-txt';

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

export function DkimTxtValue({ name, value }: { name: string; value: string }) {
  const [copied, setCopied] = useState<'value' | 'zone' | null>(null);
  const parts = splitTxt(value);
  const zone = zoneFileTxt(name, value);
  const copy = (what: 'value' | 'zone') => void copyText(what === 'value' ? value : zone).then((ok) => setCopied(ok ? what : null));
  return (
    <div className="dns-txt" data-testid="dns-txt">
      <label>
        Value ({value.length} characters)
        <textarea readOnly value={value} rows={Math.ceil(value.length / 60) + 1} className="dns-txt-whole" onFocus={(e) => e.currentTarget.select()} data-testid="dns-value" />
      </label>
      <button type="button" className="small" onClick={() => copy('value')} data-testid="dns-copy">
        {copied === 'value' ? 'Copied' : 'Copy value'}
      </button>
      <p className="muted small dns-txt-split-note">
        {parts.length > 1
          ? `Longer than ${TXT_STRING_MAX} characters: zone files and most DNS providers need it as ${parts.length} quoted strings of at most ${TXT_STRING_MAX}, joined without spaces by resolvers.`
          : `One string (at most ${TXT_STRING_MAX} characters): no split needed.`}
      </p>
      <ol className="dns-txt-parts" data-testid="dns-txt-parts">
        {parts.map((p, i) => (
          <li key={i} data-testid="dns-txt-part" data-length={p.length}>
            <code>&quot;{p}&quot;</code> <span className="muted small">({p.length})</span>
          </li>
        ))}
      </ol>
      <pre className="dns-zone" data-testid="dns-zone">
        {zone}
      </pre>
      <button type="button" className="small" onClick={() => copy('zone')} data-testid="dns-copy-zone">
        {copied === 'zone' ? 'Copied' : 'Copy as zone-file record'}
      </button>
    </div>
  );
}
