// Events over time by action, above the audit table: stacked bars per time bucket,
// counted by the audit source (audit:chart: SQLite or VictoriaLogs), following the viewer's filters and the
// housekeeping toggle. Times in UTC like the rest of the console.
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { AuditChartView } from '../../../../../shared/contract';
import type { AuditAction } from '../../../../../shared/audit/audit-rules';
import { formatUtc } from '../../../../../shared/time-format';
import { bucketLabel, countAxisWidth, formatCount, timeTick, widthWords } from '../../../lib/chart-format';

// One colour per action, stable across refreshes; failures and deletions in warm colours.
// Typed by the action list: a new action without its own colour does not compile.
const COLOURS: Record<AuditAction, string> = {
  read: '#1f4e8c',
  'read-metadata': '#7fa3d1',
  list: '#b8c9e0',
  write: '#1e7d32',
  'write-metadata': '#8cc394',
  rotate: '#6a3d9a',
  'emergency-reset': '#b15928',
  reveal: '#e6a100',
  copy: '#f2cf6b',
  close: '#cfcfcf',
  download: '#17becf',
  revoke: '#8c564b',
  delete: '#b3261e',
  login: '#5b6675',
  'failed-login': '#e8590c',
  lockout: '#c2185b',
  'request-approval': '#9e9ac8',
  approve: '#54278f',
  'enrol-grant': '#7cb342',
  enrol: '#33691e',
  // Vault's own record says these matter: never grey.
  'sys-critical': '#8e0000',
  decrypt: '#00838f',
  unclassified: '#ffb300',
  other: '#a0a7b1',
};

export function AuditChart({ chart, hidingHousekeeping }: { chart: AuditChartView | null; hidingHousekeeping: boolean }) {
  if (!chart) return null;
  const data = chart.buckets.map((b) => ({ t: b.t, ...b.counts }));
  const max = Math.max(0, ...chart.buckets.map((b) => Object.values(b.counts).reduce((s, n) => s + n, 0)));
  const span = chart.to - chart.from;
  return (
    <section className="card audit-chart" aria-label="Events over time by action" data-testid="audit-chart" data-source={chart.source} data-total={chart.total}>
      {chart.buckets.length > 0 && (
        <p className="muted small audit-chart-caption" data-testid="audit-chart-caption">
          {formatCount(chart.total)} events per {widthWords(chart.bucketMs)} by action, {formatUtc(chart.from)} – {formatUtc(chart.to + 1)}
          {hidingHousekeeping ? ', console housekeeping hidden' : ''}
          {chart.partialSince !== null ? `; counts the newest ${formatCount(chart.total)} matching events, from ${formatUtc(chart.partialSince)}` : ''}.
        </p>
      )}
      {chart.total === 0 ? (
        <p className="muted" data-testid="audit-chart-empty">
          {chart.buckets.length > 0 ? 'No events in this range.' : 'No events stored yet.'}
        </p>
      ) : (
        <ResponsiveContainer width="100%" height={200}>
          <BarChart data={data} margin={{ top: 6, right: 12, left: 0, bottom: 0 }} barCategoryGap={1}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="t" tickFormatter={(v: number) => timeTick(v, chart.bucketMs, span)} minTickGap={24} tick={{ fontSize: 11 }} />
            <YAxis allowDecimals={false} tickFormatter={(v: number) => formatCount(v)} width={countAxisWidth(max)} tick={{ fontSize: 11 }} />
            <Tooltip labelFormatter={(v) => bucketLabel(Number(v), chart.bucketMs)} formatter={(v) => formatCount(Number(v))} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            {chart.actions.map((a) => (
              <Bar key={a} dataKey={a} stackId="events" fill={COLOURS[a as AuditAction] ?? '#a0a7b1'} isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      )}
    </section>
  );
}
