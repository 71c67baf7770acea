/**
 * Small, dependency-free SVG charts for documents that must stand alone (the weekly brief's HTML
 * and printouts): grouped bars and lines over labelled categories, with a y axis from 0 to a
 * round maximum, four grid lines, value labels and a legend. Text is escaped; the SVG has a
 * title and `role="img"` with the title as its accessible name.
 */
type ChartSeries = { name: string; values: readonly number[] };

export type ChartInput = {
  title: string;
  labels: readonly string[];
  series: readonly ChartSeries[];
  width?: number;
  height?: number;
};

const palette = ['#2f6f9f', '#d98c2b', '#5b9a5b', '#8a5fa8'];
const margin = { top: 34, right: 12, bottom: 42, left: 44 };

export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** The smallest 1, 2 or 5 × 10^k at or above `value` (at least 1). */
export function niceMaximum(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

const fixed = (value: number) => String(Math.round(value * 10) / 10);

function frame(input: ChartInput, body: (geometry: Geometry) => string): string {
  const width = input.width ?? 560;
  const height = input.height ?? 220;
  const plot = {
    x: margin.left,
    y: margin.top,
    width: width - margin.left - margin.right,
    height: height - margin.top - margin.bottom,
  };
  const maximum = niceMaximum(Math.max(0, ...input.series.flatMap((series) => series.values)));
  const y = (value: number) => plot.y + plot.height - (value / maximum) * plot.height;
  const band = input.labels.length === 0 ? plot.width : plot.width / input.labels.length;
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((share) => {
      const value = maximum * share;
      const at = fixed(y(value));
      const tick = String(Math.round(value * 100) / 100);
      return `<line x1="${plot.x}" x2="${plot.x + plot.width}" y1="${at}" y2="${at}" stroke="#e3e3e3"/><text x="${plot.x - 6}" y="${at}" text-anchor="end" dominant-baseline="middle" font-size="10" fill="#666">${tick}</text>`;
    })
    .join('');
  const labels = input.labels
    .map(
      (label, index) =>
        `<text x="${fixed(plot.x + band * (index + 0.5))}" y="${plot.y + plot.height + 14}" text-anchor="middle" font-size="10" fill="#444">${escapeXml(label)}</text>`,
    )
    .join('');
  const legend = input.series
    .map(
      (series, index) =>
        `<rect x="${plot.x + index * 120}" y="${height - 14}" width="10" height="10" fill="${palette[index % palette.length]}"/><text x="${plot.x + index * 120 + 14}" y="${height - 5}" font-size="10" fill="#444">${escapeXml(series.name)}</text>`,
    )
    .join('');
  const title = escapeXml(input.title);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${title}" font-family="system-ui, sans-serif">` +
    `<title>${title}</title><text x="${plot.x}" y="16" font-size="12" font-weight="600" fill="#222">${title}</text>` +
    grid +
    body({ plot, y, band }) +
    labels +
    legend +
    '</svg>'
  );
}

type Geometry = {
  plot: { x: number; y: number; width: number; height: number };
  y: (value: number) => number;
  band: number;
};

/** Grouped vertical bars: one group per label, one bar per series, values above the bars. */
export function barChart(input: ChartInput): string {
  return frame(input, ({ plot, y, band }) => {
    const count = Math.max(1, input.series.length);
    const barWidth = (band * 0.7) / count;
    return input.series
      .flatMap((series, seriesIndex) =>
        input.labels.map((_, index) => {
          const value = series.values[index] ?? 0;
          const x = plot.x + band * index + band * 0.15 + barWidth * seriesIndex;
          const top = y(value);
          return (
            `<rect x="${fixed(x)}" y="${fixed(top)}" width="${fixed(barWidth)}" height="${fixed(plot.y + plot.height - top)}" fill="${palette[seriesIndex % palette.length]}"><title>${escapeXml(`${series.name} ${input.labels[index] ?? ''}: ${value}`)}</title></rect>` +
            `<text x="${fixed(x + barWidth / 2)}" y="${fixed(top - 3)}" text-anchor="middle" font-size="9" fill="#333">${fixed(value)}</text>`
          );
        }),
      )
      .join('');
  });
}

/** One line per series through the middle of each label's band, with a dot and value at each point. */
export function lineChart(input: ChartInput): string {
  return frame(input, ({ plot, y, band }) =>
    input.series
      .map((series, seriesIndex) => {
        const colour = palette[seriesIndex % palette.length];
        const points = input.labels.map((_, index) => {
          const value = series.values[index] ?? 0;
          return { x: plot.x + band * (index + 0.5), y: y(value), value };
        });
        const path = points.map((point) => `${fixed(point.x)},${fixed(point.y)}`).join(' ');
        return (
          `<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"/>` +
          points
            .map(
              (point) =>
                `<circle cx="${fixed(point.x)}" cy="${fixed(point.y)}" r="3" fill="${colour}"/><text x="${fixed(point.x)}" y="${fixed(point.y - 6)}" text-anchor="middle" font-size="9" fill="#333">${fixed(point.value)}</text>`,
            )
            .join('')
        );
      })
      .join(''),
  );
}
