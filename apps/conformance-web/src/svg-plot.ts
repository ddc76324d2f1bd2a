/** A small line-plot renderer producing inline SVG markup (no chart library). Pure: testable anywhere. */

export interface Series {
  readonly label: string;
  readonly color: string;
  /** Points with a non-finite y (or, on a log axis, y <= 0) break the line. */
  readonly points: readonly (readonly [number, number])[];
  readonly dashed?: boolean;
}

export interface PlotSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly x: readonly [number, number];
  readonly y: readonly [number, number];
  readonly yLog?: boolean;
  readonly width?: number;
  readonly height?: number;
  readonly series: readonly Series[];
  /** Draw the legend (small multiples share one instead). */
  readonly legend?: boolean;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** About `count` round tick values covering [lo, hi]. */
export function linearTicks(lo: number, hi: number, count = 5): number[] {
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** Powers of ten in [lo, hi], thinned to at most ~8 labels. */
export function logTicks(lo: number, hi: number): number[] {
  const first = Math.ceil(Math.log10(lo));
  const last = Math.floor(Math.log10(hi));
  const stride = Math.max(1, Math.ceil((last - first + 1) / 8));
  const ticks: number[] = [];
  for (let e = first; e <= last; e += stride) ticks.push(10 ** e);
  return ticks;
}

function formatTick(value: number, log: boolean): string {
  if (log) return `1e${Math.round(Math.log10(value))}`;
  return String(Number(value.toPrecision(6)));
}

export function renderPlot(spec: PlotSpec): string {
  const width = spec.width ?? 640;
  const height = spec.height ?? 400;
  const legend = spec.legend ?? true;
  // The legend's width follows its longest label (about 6 px per character at font size 11).
  const longest = Math.max(0, ...spec.series.map((s) => s.label.length));
  const margin = { left: 62, right: legend ? Math.max(190, 46 + 6 * longest) : 14, top: 30, bottom: 46 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const [x0, x1] = spec.x;
  const [y0, y1] = spec.y;
  const log = spec.yLog === true;
  const sx = (x: number) => margin.left + ((x - x0) / (x1 - x0)) * plotW;
  const yScaled = (y: number) => (log ? (Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0)) : (y - y0) / (y1 - y0));
  const sy = (y: number) => margin.top + (1 - yScaled(y)) * plotH;
  const fmt = (v: number) => v.toFixed(1);

  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(spec.title)}" font-family="system-ui, sans-serif" font-size="11">`);
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="${margin.left}" y="18" font-size="13" font-weight="600">${escapeXml(spec.title)}</text>`);
  // Grid and ticks.
  for (const t of linearTicks(x0, x1)) {
    const x = fmt(sx(t));
    parts.push(`<line x1="${x}" x2="${x}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${x}" y="${margin.top + plotH + 15}" text-anchor="middle">${formatTick(t, false)}</text>`);
  }
  for (const t of log ? logTicks(y0, y1) : linearTicks(y0, y1)) {
    const y = fmt(sy(t));
    parts.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${margin.left - 6}" y="${y}" dy="0.32em" text-anchor="end">${formatTick(t, log)}</text>`);
  }
  parts.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${margin.left + plotW / 2}" y="${height - 8}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`);
  // Lines, clipped to the plot area; points outside the y range are clamped to its edge so a
  // series that leaves the range stays visible where it does.
  const clipId = `clip-${Math.random().toString(36).slice(2, 10)}`;
  parts.push(`<clipPath id="${clipId}"><rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}"/></clipPath>`);
  parts.push(`<g clip-path="url(#${clipId})" fill="none" stroke-width="1.6">`);
  for (const s of spec.series) {
    const segments: string[] = [];
    let current: string[] = [];
    for (const [x, y] of s.points) {
      if (!Number.isFinite(y) || (log && y <= 0)) {
        if (current.length > 1) segments.push(current.join(' '));
        current = [];
        continue;
      }
      const clamped = Math.min(Math.max(y, y0), y1);
      current.push(`${fmt(sx(x))},${fmt(sy(clamped))}`);
    }
    if (current.length > 1) segments.push(current.join(' '));
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
    for (const points of segments) parts.push(`<polyline points="${points}" stroke="${s.color}"${dash}/>`);
  }
  parts.push('</g>');
  if (legend) {
    spec.series.forEach((s, i) => {
      const y = margin.top + 8 + i * 16;
      const x = margin.left + plotW + 12;
      const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
      parts.push(`<line x1="${x}" x2="${x + 22}" y1="${y}" y2="${y}" stroke="${s.color}" stroke-width="2"${dash}/>`);
      parts.push(`<text x="${x + 28}" y="${y}" dy="0.32em">${escapeXml(s.label)}</text>`);
    });
  }
  parts.push('</svg>');
  return parts.join('');
}
