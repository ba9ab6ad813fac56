import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatUtcClock, formatUtcExact } from '../../../../../shared/time-format';
import { useHealthStore } from '../store';

/** Request rate and latency for the last 15 minutes, sampled by main from sys/metrics. */
export function MetricsChart() {
  const metrics = useHealthStore((s) => s.metrics);
  const data = (metrics?.samples ?? []).map((s) => ({
    t: Date.parse(s.at),
    rate: s.requestRate,
    mean: s.latencyMeanMs,
    p99: s.latencyP99Ms,
  }));
  return (
    <section className="card metrics" aria-labelledby="metrics-title" data-testid="metrics">
      <h2 id="metrics-title">Requests (last 15 minutes)</h2>
      {metrics?.problem && (
        <p className="muted small" data-testid="metrics-problem">
          {metrics.problem}
        </p>
      )}
      <p className="muted small" data-testid="metrics-count">
        {data.length} sample{data.length === 1 ? '' : 's'}, every {Math.round((metrics?.intervalMs ?? 10_000) / 1000)} s
      </p>
      <div className="metrics-charts">
        <div className="metrics-chart" data-testid="chart-rate">
          <ResponsiveContainer width="100%" height={200}>
            <LineChart data={data} margin={{ top: 8, right: 16, left: 0, bottom: 0 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="t" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={(v: number) => formatUtcClock(v)} minTickGap={40} />
              <YAxis allowDecimals width={48} />
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
              <XAxis dataKey="t" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={(v: number) => formatUtcClock(v)} minTickGap={40} />
              <YAxis unit=" ms" width={64} />
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
