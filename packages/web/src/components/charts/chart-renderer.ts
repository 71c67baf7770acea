import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import {
  GridComponent,
  LegendPlainComponent,
  MarkLineComponent,
  TooltipComponent,
  VisualMapContinuousComponent,
} from 'echarts/components';
import { init, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

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

/** ECharts itself, in a chunk of its own: pages paint their tables while it loads. */
export function createChart(node: HTMLDivElement) {
  return init(node, undefined, { renderer: 'svg' });
}
