import { describe, expect, test } from 'vitest';
import { barChart, escapeXml, lineChart, niceMaximum } from './svg-chart.ts';

describe('niceMaximum', () => {
  test.each([
    [0, 1],
    [7, 10],
    [12, 20],
    [36, 50],
    [100, 100],
    [0.3, 0.5],
  ])('%s → %s', (value, expected) => {
    expect(niceMaximum(value)).toBeCloseTo(expected, 10);
  });
});

describe('barChart', () => {
  test('draws bar heights in proportion to a round maximum', () => {
    // Plot height 220 − 34 − 42 = 144; maximum 10 (from 8): 4 → 57.6 high, 8 → 115.2 high.
    const svg = barChart({ title: 'MQLs', labels: ['W1', 'W2'], series: [{ name: 'MQLs', values: [4, 8] }] });
    expect(svg).toContain('height="57.6"');
    expect(svg).toContain('height="115.2"');
    expect(svg).toContain('<title>MQLs</title>');
    expect(svg).toContain('role="img"');
  });

  test('escapes labels and titles', () => {
    const svg = lineChart({ title: 'a<b', labels: ['"x"'], series: [{ name: 'it’s & more', values: [1] }] });
    expect(svg).toContain('a&lt;b');
    expect(svg).toContain('&quot;x&quot;');
    expect(svg).toContain('it’s &amp; more');
    expect(escapeXml(`<'&">`)).toBe('&lt;&#39;&amp;&quot;&gt;');
  });
});
