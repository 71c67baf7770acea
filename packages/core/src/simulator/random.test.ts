import { describe, expect, test } from 'vitest';
import { createRandom } from './random.ts';

function draw(count: number, sample: () => number): number[] {
  return Array.from({ length: count }, sample);
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

describe('createRandom', () => {
  test('repeats the same sequence for the same seed and stream', () => {
    const a = createRandom(42, 7);
    const b = createRandom(42, 7);
    expect(draw(50, a.next)).toEqual(draw(50, b.next));
  });

  test('gives different sequences to different seeds and streams', () => {
    const base = draw(5, createRandom(42).next);
    expect(draw(5, createRandom(43).next)).not.toEqual(base);
    expect(draw(5, createRandom(42, 1).next)).not.toEqual(base);
    expect(draw(5, createRandom(42, 1).next)).not.toEqual(draw(5, createRandom(42, 2).next));
    expect(draw(5, createRandom(2 ** 40).next)).not.toEqual(draw(5, createRandom(2 ** 40 + 1).next));
  });

  test('stays in [0, 1) and is roughly uniform', () => {
    const values = draw(20_000, createRandom(1).next);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(mean(values)).toBeCloseTo(0.5, 1);
    expect(values.filter((v) => v < 0.1).length / values.length).toBeCloseTo(0.1, 1);
  });

  test('draws integers within both bounds', () => {
    const random = createRandom(3);
    const values = draw(2_000, () => random.int(2, 5));
    expect(new Set(values)).toEqual(new Set([2, 3, 4, 5]));
  });

  test('matches the mean of its distributions', () => {
    const random = createRandom(9);
    expect(mean(draw(20_000, () => random.normal(10, 2)))).toBeCloseTo(10, 1);
    expect(mean(draw(20_000, () => random.exponential(3)))).toBeCloseTo(3, 0);
    expect(mean(draw(20_000, () => random.poisson(4)))).toBeCloseTo(4, 1);
    expect(mean(draw(5_000, () => random.poisson(50)))).toBeCloseTo(50, 0);
    const lognormal = draw(20_001, () => random.lognormal(1000, 0.5)).sort((a, b) => a - b);
    expect((lognormal[10_000] as number) / 1000).toBeCloseTo(1, 1);
  });

  test('chooses by weight and never a zero weight', () => {
    const random = createRandom(5);
    const picks = draw(
      10_000,
      () =>
        random.weighted([
          [1, 1],
          [2, 0],
          [3, 3],
        ] as const) as number,
    );
    expect(picks).not.toContain(2);
    expect(picks.filter((p) => p === 3).length / picks.length).toBeCloseTo(0.75, 1);
    expect(() => random.weighted([['a', 0]])).toThrow();
    expect(() => random.pick([])).toThrow();
  });

  test('writes hexadecimal strings of the asked length', () => {
    expect(createRandom(1).hex(20)).toMatch(/^[0-9a-f]{20}$/);
  });
});
