import { describe, expect, test } from 'vitest';
import {
  areaUnderCurve,
  brierScore,
  liftAtTopDecile,
  logLoss,
  reliabilityTable,
  wilsonInterval,
} from './statistics.ts';

describe('wilsonInterval', () => {
  test.each([
    // successes, trials, low, high (reference values of the Wilson score interval, z = 1.96)
    [0, 10, 0, 0.2775],
    [3, 3, 0.4385, 1],
    [10, 100, 0.0552, 0.1744],
    [50, 100, 0.4038, 0.5962],
  ])('%i of %i gives [%f, %f]', (successes, trials, low, high) => {
    const interval = wilsonInterval(successes, trials);
    expect(interval.low).toBeCloseTo(low, 3);
    expect(interval.high).toBeCloseTo(high, 3);
  });

  test('contains the observed rate, and is [0, 1] without trials', () => {
    for (const [k, n] of [
      [0, 7],
      [1, 7],
      [7, 7],
      [13, 4000],
    ] as const) {
      const { low, high } = wilsonInterval(k, n);
      expect(low).toBeLessThanOrEqual(k / n);
      expect(high).toBeGreaterThanOrEqual(k / n);
    }
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });
});

describe('areaUnderCurve', () => {
  test('is 1 for a perfect ranking, 0 for a reversed one, ½ for ties, and null with one class', () => {
    expect(areaUnderCurve([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(areaUnderCurve([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(areaUnderCurve([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    // One positive above two of three negatives: 2/3.
    expect(areaUnderCurve([0.1, 0.3, 0.5, 0.4], [0, 0, 0, 1])).toBeCloseTo(2 / 3, 12);
    expect(areaUnderCurve([0.1, 0.2], [1, 1])).toBeNull();
  });
});

describe('calibration figures', () => {
  test('Brier and log-loss of known predictions', () => {
    expect(brierScore([0.8, 0.2], [1, 0])).toBeCloseTo(0.04, 12);
    expect(logLoss([0.5, 0.5], [1, 0])).toBeCloseTo(Math.LN2, 12);
  });

  test('the reliability table bins by prediction with the observed rate of each bin', () => {
    const predictions = Array.from({ length: 100 }, (_, i) => i / 100);
    const labels = predictions.map((p) => (p >= 0.5 ? 1 : 0));
    const table = reliabilityTable(predictions, labels, 4);
    expect(table.map((bin) => bin.leads)).toEqual([25, 25, 25, 25]);
    expect(table.map((bin) => bin.observed)).toEqual([0, 0, 1, 1]);
    expect(table[0]?.meanPredicted).toBeCloseTo(0.12, 12);
  });

  test('lift at the top decile is the top tenth’s rate over the average', () => {
    const scores = Array.from({ length: 100 }, (_, i) => i);
    const labels = scores.map((s) => (s >= 90 || s === 5 ? 1 : 0));
    // 10 of the top 10 won, 11 of 100 overall.
    expect(liftAtTopDecile(scores, labels)).toBeCloseTo(1 / 0.11, 12);
  });
});
