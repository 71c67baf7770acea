import type { BarSeriesOption, HeatmapSeriesOption, LineSeriesOption } from 'echarts/charts';
import type {
  GridComponentOption,
  LegendComponentOption,
  MarkLineComponentOption,
  TooltipComponentOption,
  VisualMapComponentOption,
} from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import { useEffect, useRef, useState } from 'react';

type ChartInstance = ReturnType<typeof import('./chart-renderer.ts')['createChart']>;

let renderer: Promise<typeof import('./chart-renderer.ts')> | undefined;
/** Starts loading ECharts once, as soon as a page that draws charts is opened. */
function loadRenderer() {
  renderer ??= import('./chart-renderer.ts');
  return renderer;
}
void loadRenderer().catch(() => {
  // A failed download is retried by the next chart that mounts.
  renderer = undefined;
});

export type ChartOption = ComposeOption<
  | BarSeriesOption
  | LineSeriesOption
  | HeatmapSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | MarkLineComponentOption
  | TooltipComponentOption
  | VisualMapComponentOption
>;

/** The dashboard's palette for charts (the same colours as styles.css). */
export const chartColors = {
  accent: '#2f5fd0',
  accentSoft: '#9db4ec',
  good: '#1f7a4d',
  warn: '#a15c00',
  bad: '#b42318',
  muted: '#5d6779',
  line: '#e2e6ec',
  text: '#1d2433',
  /** Stage owners, as the owner badges show them. */
  marketing: '#0f766e',
  sales: '#2f5fd0',
};

/** Common text and tooltip settings, merged into every option. */
const base: ChartOption = {
  textStyle: {
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    color: chartColors.text,
  },
  animationDuration: 300,
  tooltip: { confine: true },
};

/**
 * One ECharts chart. The chart is a picture for sighted readers: `label` describes it to screen
 * readers, and every page shows the table behind it, which is the accessible form of the figures.
 */
export function Chart({
  option,
  label,
  height = 320,
}: {
  option: ChartOption;
  label: string;
  height?: number;
}) {
  const element = useRef<HTMLDivElement>(null);
  const [chart, setChart] = useState<ChartInstance | undefined>(undefined);

  // The box keeps its height while ECharts loads, so the table below does not jump.
  useEffect(() => {
    const node = element.current;
    if (!node) return;
    let disposed = false;
    let instance: ChartInstance | undefined;
    let resize: ResizeObserver | undefined;
    void loadRenderer().then(({ createChart }) => {
      if (disposed) return;
      const created = createChart(node);
      instance = created;
      resize = new ResizeObserver(() => created.resize());
      resize.observe(node);
      setChart(created);
    });
    return () => {
      disposed = true;
      resize?.disconnect();
      instance?.dispose();
    };
  }, []);

  useEffect(() => {
    chart?.setOption({ ...base, ...option }, { notMerge: true });
  }, [chart, option]);

  return <div ref={element} className="chart" role="img" aria-label={label} style={{ height }} />;
}
