import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatUtcExact } from '../../../../../shared/time-format';
import { countAxisWidth, formatCount } from '../../../lib/chart-format';
import { useHealthStore } from '../store';

/** A tick within the 15-minute window: the UTC time of day to the second (the caption says UTC). */
const clock = (v: number) => new Date(v).toISOString().slice(11, 19);
const rateTick = (v: number) => (v >= 100 ? formatCount(v) : String(Math.round(v * 100) / 100));

/** Request rate and latency for the last 15 minutes, sampled by main from sys/metrics. */
export function MetricsChart() {
  const metrics = useHealthStore((s) => s.metrics);
  const data = (metrics?.samples ?? []).map((s) => ({
    t: Date.parse(s.at),
    rate: s.requestRate,
    mean: s.latencyMeanMs,
    p99: s.latencyP99Ms,
  }));
  const maxRate = Math.max(0, ...data.map((d) => d.rate ?? 0));
  const maxLatency = Math.max(0, ...data.flatMap((d) => [d.mean ?? 0, d.p99 ?? 0]));
  return (
    <section className="card metrics" aria-labelledby="metrics-title" data-testid="metrics">
      <h2 id="metrics-title">Requests (last 15 minutes)</h2>
      {metrics?.problem && (
        <p className="muted small" data-testid="metrics-problem">
          {metrics.problem}
        </p>
      )}
      <p className="muted small" data-testid="metrics-count">
        {data.length} sample{data.length === 1 ? '' : 's'}, every {Math.round((metrics?.intervalMs ?? 10_000) / 1000)} s; times in UTC
      </p>
      <div className="metrics-charts">
        <div className="metrics-chart" data-testid="chart-rate">
          <ResponsiveContainer width="100%" height={200}>
            <LineChart data={data} margin={{ top: 8, right: 16, left: 0, bottom: 0 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="t" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={clock} minTickGap={40} />
              <YAxis allowDecimals tickFormatter={rateTick} width={Math.max(48, countAxisWidth(maxRate))} />
              <Tooltip labelFormatter={(v) => formatUtcExact(Number(v))} />
              <Legend />
              <Line type="monotone" dataKey="rate" name="requests/s" stroke="#1f4e8c" dot={false} isAnimationActive={false} connectNulls={false} />
            </LineChart>
          </ResponsiveContainer>
        </div>
        <div className="metrics-chart" data-testid="chart-latency">
          <ResponsiveContainer width="100%" height={200}>
            <LineChart data={data} margin={{ top: 8, right: 16, left: 0, bottom: 0 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="t" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={clock} minTickGap={40} />
              <YAxis tickFormatter={(v: number) => `${formatCount(v)} ms`} width={countAxisWidth(maxLatency) + 22} />
              <Tooltip labelFormatter={(v) => formatUtcExact(Number(v))} />
              <Legend />
              <Line type="monotone" dataKey="mean" name="mean latency" stroke="#1e7d32" dot={false} isAnimationActive={false} />
              <Line type="monotone" dataKey="p99" name="p99 latency" stroke="#a05a00" dot={false} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </div>
      </div>
    </section>
  );
}
