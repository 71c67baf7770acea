import { describe, expect, test } from 'vitest';
import { median, quantile, ratio, round } from './statistics.ts';

describe('quantile', () => {
  test.each([
    { values: [], q: 0.5, expected: null },
    { values: [7], q: 0.9, expected: 7 },
    { values: [4, 1, 3, 2], q: 0.5, expected: 2.5 },
    { values: [1, 2, 3, 4], q: 0.9, expected: 3.7 },
    { values: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100], q: 0.9, expected: 91 },
    { values: [5, 1, 9], q: 0, expected: 1 },
    { values: [5, 1, 9], q: 1, expected: 9 },
  ])('gives $expected for q=$q of $values', ({ values, q, expected }) => {
    const found = quantile(values, q);
    if (expected === null) expect(found).toBeNull();
    else expect(found).toBeCloseTo(expected, 10);
  });

  test('refuses a quantile outside 0..1', () => {
    expect(() => quantile([1], 1.5)).toThrow(/between 0 and 1/);
  });

  test('median is the 0.5 quantile', () => {
    expect(median([3, 1, 2])).toBe(2);
  });
});

describe('ratio and round', () => {
  test('a ratio of nothing is null', () => {
    expect(ratio(3, 0)).toBeNull();
    expect(ratio(1, 4)).toBe(0.25);
  });

  test('rounds to the given decimals and keeps null', () => {
    expect(round(2 / 3, 4)).toBe(0.6667);
    expect(round(null, 2)).toBeNull();
  });
});
