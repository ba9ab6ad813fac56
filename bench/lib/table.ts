// Plain-text table for the terminal: left-aligned text, right-aligned numbers.

export type Cell = string | number;

export function formatNumber(n: number, digits = 2): string {
  if (!Number.isFinite(n)) return '-';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: Number.isInteger(n) ? 0 : Math.min(digits, 1) });
}

export function renderTable(headers: readonly string[], rows: readonly Cell[][]): string {
  const text = rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[], numeric: boolean[]) =>
    cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  const numericCols = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  return [line(headers, numericCols), widths.map((w) => '-'.repeat(w)).join('  '), ...text.map((r) => line(r, numericCols))].join('\n');
}
