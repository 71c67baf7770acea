import type { BarSeriesOption, HeatmapSeriesOption, LineSeriesOption } from 'echarts/charts';
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import type {
  GridComponentOption,
  LegendComponentOption,
  MarkLineComponentOption,
  TooltipComponentOption,
  VisualMapComponentOption,
} from 'echarts/components';
import {
  GridComponent,
  LegendPlainComponent,
  MarkLineComponent,
  TooltipComponent,
  VisualMapContinuousComponent,
} from 'echarts/components';
import { type ComposeOption, init, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// Only the parts the reports draw: bars, lines, the cohort heat-map; SVG keeps text crisp and light.
use([
  BarChart,
  LineChart,
  HeatmapChart,
  GridComponent,
  LegendPlainComponent,
  MarkLineComponent,
  TooltipComponent,
  VisualMapContinuousComponent,
  SVGRenderer,
]);

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
  const chart = useRef<ReturnType<typeof init> | undefined>(undefined);

  useEffect(() => {
    const node = element.current;
    if (!node) return;
    const instance = init(node, undefined, { renderer: 'svg' });
    chart.current = instance;
    const resize = new ResizeObserver(() => instance.resize());
    resize.observe(node);
    return () => {
      resize.disconnect();
      instance.dispose();
      chart.current = undefined;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({ ...base, ...option }, { notMerge: true });
  }, [option]);

  return <div ref={element} className="chart" role="img" aria-label={label} style={{ height }} />;
}
