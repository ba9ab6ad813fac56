// "View Usage Analytics": requests over time per API key, from the counters the
// platform keeps in each key's custom_metadata (docs/vault-layout.md), read fresh
// from Vault by main. Daily for the last 30 days or monthly for the last 12 months;
// axes with readable numbers (1,800,000) and UTC dates.
import { useEffect, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ApiUsage } from '../../../../../shared/contract';
import { call, errorMessage } from '../../../lib/ipc-client';
import { countAxisWidth, formatCount } from '../../../lib/chart-format';
import { Time } from '../../../lib/Time';

const PALETTE = ['#1f4e8c', '#e8590c', '#1e7d32', '#6a3d9a', '#b3261e', '#17becf', '#8c564b', '#e6a100'];

export function ApiUsageChart({ tenantId }: { tenantId: string }) {
  const [usage, setUsage] = useState<ApiUsage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [scale, setScale] = useState<'daily' | 'monthly'>('daily');

  useEffect(() => {
    let live = true;
    call('tenants:api-usage', { tenantId }).then(
      (u) => live && setUsage(u),
      (err: unknown) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [tenantId]);

  if (error) {
    return (
      <p className="error" role="alert" data-testid="api-usage-error">
        {error}
      </p>
    );
  }
  if (!usage) return <p className="muted">Reading usage counters from Vault…</p>;

  const periods = new Map<string, Record<string, number>>();
  for (const k of usage.keys) for (const p of k[scale]) periods.set(p.period, { ...(periods.get(p.period) ?? {}), [k.keyId]: p.count });
  const data = [...periods.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([period, counts]) => ({ period, ...counts }));
  const max = Math.max(0, ...data.flatMap((d) => usage.keys.map((k) => (d as Record<string, number | string>)[k.keyId] as number | undefined).filter((v): v is number => typeof v === 'number')));
  const withData = usage.keys.filter((k) => k[scale].length > 0);
  const updated = usage.keys.map((k) => k.updatedAt).filter((u): u is string => u !== null).sort().at(-1) ?? null;
  // The last day or month is still running: say so, so its short bar is not read as a drop.
  const current = data.at(-1)?.period ?? null;
  const tick = (p: string) => `${scale === 'daily' ? p.slice(5) : p}${p === current ? ' (so far)' : ''}`;

  return (
    <div className="api-usage-chart" data-testid="api-usage-chart" data-scale={scale}>
      <div className="api-usage-head">
        <div className="segmented" role="group" aria-label="Usage period">
          <button type="button" className={scale === 'daily' ? 'active' : ''} aria-pressed={scale === 'daily'} onClick={() => setScale('daily')} data-testid="api-usage-daily">
            Last 30 days
          </button>
          <button type="button" className={scale === 'monthly' ? 'active' : ''} aria-pressed={scale === 'monthly'} onClick={() => setScale('monthly')} data-testid="api-usage-monthly">
            Last 12 months
          </button>
        </div>
        <span className="muted small" data-testid="api-usage-source">
          Requests per {scale === 'daily' ? 'UTC day' : 'UTC month'} per key, from each key&apos;s usage counters in Vault (written by the platform&apos;s metering job
          {updated ? (
            <>
              , last at <Time value={updated} />
            </>
          ) : null}
          ).
        </span>
      </div>
      {withData.length === 0 ? (
        <p className="muted" data-testid="api-usage-none">
          No usage counters for these keys yet.
        </p>
      ) : (
        <ResponsiveContainer width="100%" height={260}>
          {/* Room on the right for the last tick's " (so far)": recharts centres it on the edge. */}
          <LineChart data={data} margin={{ top: 8, right: 56, left: 4, bottom: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            {/* Every month is named (recharts would drop the one before the wider "so far" label); 30 days are thinned. */}
            <XAxis dataKey="period" tickFormatter={tick} interval={scale === 'monthly' ? 0 : 'preserveEnd'} minTickGap={16} tick={{ fontSize: 11 }} />
            <YAxis allowDecimals={false} tickFormatter={(v: number) => formatCount(v)} width={countAxisWidth(max)} tick={{ fontSize: 11 }} />
            <Tooltip formatter={(v) => formatCount(Number(v))} labelFormatter={(p) => `${String(p)}${scale === 'daily' ? ' (UTC day)' : ' (UTC month)'}${p === current ? ', so far' : ''}`} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            {usage.keys.map((k, i) => (
              <Line key={k.keyId} type="linear" dataKey={k.keyId} name={`${k.keyId}${k.status === 'revoked' ? ' (revoked)' : ''}`} stroke={PALETTE[i % PALETTE.length]} dot={scale === 'monthly'} isAnimationActive={false} connectNulls />
            ))}
          </LineChart>
        </ResponsiveContainer>
      )}
      <ul className="api-usage-keys small">
        {usage.keys.map((k) => (
          <li key={k.keyId} data-testid="api-usage-key" data-key-id={k.keyId}>
            <code>{k.keyId}</code>: {k.total !== null ? `${formatCount(k.total)} requests in all` : 'no total recorded'}
            {k[scale].length > 0 ? `, ${formatCount(k[scale].reduce((s, p) => s + p.count, 0))} in the ${scale === 'daily' ? 'last 30 days' : 'last 12 months'}` : ''}
            {k.problem ? <span className="muted"> — {k.problem}</span> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
