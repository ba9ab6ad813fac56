// Reads the request counters Vault exposes at sys/metrics?format=prometheus.
// Parsing is done by parse-prometheus-text-format (a port of the reference
// client's parser), not by hand: label escaping and NaN/Inf are its problem.
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';

/** vault_core_handle_request is a summary in milliseconds over every non-login request. */
export const REQUEST_SUMMARY = 'vault_core_handle_request';

export interface RequestCounters {
  /** Requests handled since the server started. */
  count: number;
  /** Total time spent on them, ms. */
  sumMs: number;
  /** The server's own rolling-window quantiles, ms (null when its window is empty). */
  p50Ms: number | null;
  p99Ms: number | null;
}

function num(v: string | undefined): number | null {
  if (v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** The request summary from a Prometheus text exposition; null when Vault does not export it. */
export function requestCounters(text: string): RequestCounters | null {
  let families: PromFamily[];
  try {
    families = parsePrometheusTextFormat(text);
  } catch {
    return null;
  }
  const fam = families.find((f) => f.name === REQUEST_SUMMARY);
  if (!fam) return null;
  // Summed over label sets, in case a server labels it (cluster, namespace ...).
  let count = 0;
  let sumMs = 0;
  let p50: number | null = null;
  let p99: number | null = null;
  for (const m of fam.metrics) {
    count += num(m.count) ?? 0;
    sumMs += num(m.sum) ?? 0;
    const q50 = num(m.quantiles?.['0.5']);
    const q99 = num(m.quantiles?.['0.99']);
    if (q50 !== null) p50 = Math.max(p50 ?? 0, q50);
    if (q99 !== null) p99 = Math.max(p99 ?? 0, q99);
  }
  return { count, sumMs, p50Ms: p50, p99Ms: p99 };
}
