// Small inline SVG charts for the SOC 2 report: no script, no font metrics, no external
// resource, fixed geometry, so the same numbers draw the same bytes and print sharply.
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** 1234567 → "1,234,567" without the host's locale data. */
export function num(n: number): string {
  const s = String(Math.trunc(Math.abs(n)));
  return `${n < 0 ? '-' : ''}${s.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
}

export function pct(r: number | null): string {
  return r === null ? 'n/a' : `${(Math.round(r * 1000) / 10).toFixed(1)} %`;
}

function label(s: string, max = 26): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export const PALETTE = { blue: '#2b6cb0', green: '#2f855a', red: '#c53030', amber: '#b7791f', grey: '#a0aec0', ink: '#1a202c' };

export interface Bar {
  label: string;
  value: number;
}

/** Horizontal bars, one per item, scaled to the largest value. */
export function barChart(title: string, bars: readonly Bar[], color = PALETTE.blue): string {
  const rowH = 18;
  const labelW = 170;
  const barW = 330;
  const valueW = 80;
  const width = labelW + barW + valueW;
  const height = 24 + Math.max(1, bars.length) * rowH + 6;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="${esc(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`);
  parts.push(`<text x="0" y="14" class="ct">${esc(title)}</text>`);
  if (bars.length === 0) parts.push(`<text x="0" y="36" class="cl">none</text>`);
  bars.forEach((b, i) => {
    const y = 24 + i * rowH;
    const w = Math.round((b.value / max) * barW * 10) / 10;
    parts.push(`<text x="${labelW - 6}" y="${y + 13}" class="cl" text-anchor="end">${esc(label(b.label))}</text>`);
    parts.push(`<rect x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 6}" fill="${color}"/>`);
    parts.push(`<text x="${labelW + w + 4}" y="${y + 13}" class="cv">${num(b.value)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

export interface StackedBar {
  label: string;
  parts: Array<{ value: number; color: string; name: string }>;
}

/** One horizontal bar per item, split into parts (e.g. within schedule / overdue), each bar 100 %. */
export function stackedShareChart(title: string, bars: readonly StackedBar[]): string {
  const rowH = 22;
  const labelW = 130;
  const barW = 400;
  const width = labelW + barW + 10;
  const legend = bars[0]?.parts ?? [];
  const height = 24 + Math.max(1, bars.length) * rowH + 26;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="${esc(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`);
  out.push(`<text x="0" y="14" class="ct">${esc(title)}</text>`);
  bars.forEach((b, i) => {
    const y = 24 + i * rowH;
    const total = b.parts.reduce((s, p) => s + p.value, 0);
    out.push(`<text x="${labelW - 6}" y="${y + 15}" class="cl" text-anchor="end">${esc(label(b.label, 20))}</text>`);
    if (total === 0) {
      out.push(`<rect x="${labelW}" y="${y + 3}" width="${barW}" height="${rowH - 6}" fill="none" stroke="${PALETTE.grey}"/><text x="${labelW + 6}" y="${y + 15}" class="cl">no secrets</text>`);
      return;
    }
    let x = labelW;
    for (const p of b.parts) {
      const w = Math.round((p.value / total) * barW * 10) / 10;
      if (w > 0) out.push(`<rect x="${Math.round(x * 10) / 10}" y="${y + 3}" width="${w}" height="${rowH - 6}" fill="${p.color}"/>`);
      x += w;
    }
  });
  let lx = labelW;
  const ly = 24 + Math.max(1, bars.length) * rowH + 12;
  for (const p of legend) {
    out.push(`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${p.color}"/><text x="${lx + 14}" y="${ly}" class="cl">${esc(p.name)}</text>`);
    lx += 24 + p.name.length * 6.5;
  }
  out.push('</svg>');
  return out.join('');
}

/** Vertical columns per bucket, one group per series (age distribution per secret type). */
export function groupedColumns(title: string, buckets: readonly string[], series: ReadonlyArray<{ name: string; color: string; values: readonly number[] }>): string {
  const chartH = 150;
  const top = 24;
  const left = 44;
  const groupW = 96;
  const width = left + buckets.length * groupW + 10;
  const height = top + chartH + 44;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const colW = Math.max(4, Math.floor((groupW - 16) / Math.max(1, series.length)));
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="${esc(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`);
  out.push(`<text x="0" y="14" class="ct">${esc(title)}</text>`);
  out.push(`<line x1="${left}" y1="${top + chartH}" x2="${width - 6}" y2="${top + chartH}" stroke="${PALETTE.ink}" stroke-width="0.5"/>`);
  out.push(`<text x="${left - 4}" y="${top + 8}" class="cv" text-anchor="end">${num(max)}</text><text x="${left - 4}" y="${top + chartH}" class="cv" text-anchor="end">0</text>`);
  buckets.forEach((b, i) => {
    const gx = left + i * groupW + 8;
    series.forEach((s, j) => {
      const v = s.values[i] ?? 0;
      const h = Math.round((v / max) * chartH * 10) / 10;
      out.push(`<rect x="${gx + j * colW}" y="${Math.round((top + chartH - h) * 10) / 10}" width="${colW - 2}" height="${h}" fill="${s.color}"/>`);
    });
    out.push(`<text x="${gx + (series.length * colW) / 2}" y="${top + chartH + 14}" class="cl" text-anchor="middle">${esc(b)}</text>`);
  });
  let lx = left;
  for (const s of series) {
    out.push(`<rect x="${lx}" y="${height - 12}" width="10" height="10" fill="${s.color}"/><text x="${lx + 14}" y="${height - 3}" class="cl">${esc(s.name)}</text>`);
    lx += 30 + s.name.length * 7;
  }
  out.push('</svg>');
  return out.join('');
}
