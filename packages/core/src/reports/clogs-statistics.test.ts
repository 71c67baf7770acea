import { describe, expect, test } from 'vitest';
import {
  benjaminiHochberg,
  type CensoredTime,
  censoredSample,
  censoredSampleOf,
  compareProportions,
  fisherExactTest,
  gehanScores,
  gehanSums,
  gehanWilcoxonTest,
  openLongerThan,
  sampleQuantile,
  twoProportionZTest,
  twoSidedNormalP,
} from './clogs-statistics.ts';
import { quantile } from './statistics.ts';

const times = (...values: number[]) => censoredSample(values.map((value) => ({ value, censored: false })));

describe('twoSidedNormalP', () => {
  test.each([
    [0, 1],
    [1.959964, 0.05],
    [2.575829, 0.01],
    [-1.644854, 0.1],
  ])('P(|Z| ≥ %s) = %s', (z, p) => {
    expect(twoSidedNormalP(z)).toBeCloseTo(p, 6);
  });
});

describe('twoProportionZTest', () => {
  test('50/100 against 30/100: pooled 0.4, se √(0.4·0.6·0.02) = 0.069282, z = 2.886751, p = 0.003892', () => {
    const result = twoProportionZTest(50, 100, 30, 100);
    expect(result.statistic).toBeCloseTo(2.886751, 5);
    expect(result.p).toBeCloseTo(0.003892, 5);
  });

  test('equal proportions give z = 0 and p = 1; nobody converting anywhere is no evidence', () => {
    expect(twoProportionZTest(10, 20, 20, 40)).toMatchObject({ statistic: 0, p: 1 });
    expect(twoProportionZTest(0, 20, 0, 40)).toMatchObject({ statistic: 0, p: 1 });
  });
});

describe('fisherExactTest', () => {
  test('the lady tasting tea, 3 of 4 right: two-sided p = 34/70 = 0.4857', () => {
    // Tables with margins 4/4/4/4: probabilities 1, 16, 36, 16, 1 (÷ 70); 3 right has 16.
    expect(fisherExactTest(3, 1, 1, 3).p).toBeCloseTo(34 / 70, 10);
    expect(fisherExactTest(4, 0, 0, 4).p).toBeCloseTo(2 / 70, 10);
  });

  test('[[1, 9], [11, 3]]: p = 0.002759 (the classic textbook table)', () => {
    expect(fisherExactTest(1, 9, 11, 3).p).toBeCloseTo(0.0027594, 6);
  });
});

describe('compareProportions', () => {
  test('uses the z-test when every expected cell is at least 5, Fisher’s test otherwise', () => {
    expect(compareProportions(50, 100, 30, 100).test).toBe('two-proportion-z');
    // Expected converted in the first row: 10 × 4 / 24 < 5.
    expect(compareProportions(1, 10, 3, 14).test).toBe('fisher-exact');
  });
});

describe('gehanWilcoxonTest', () => {
  test('without censoring it is Mann–Whitney U: 1, 2, 3 against 4, 5, 6 gives z = −9/√21', () => {
    // Scores −5, −3, −1 | 1, 3, 5; first sum −9; variance 3·3/(6·5) · 70 = 21. U = 0, mean 4.5, var 5.25.
    const result = gehanWilcoxonTest(times(1, 2, 3), times(4, 5, 6));
    expect(result.statistic).toBeCloseTo(-9 / Math.sqrt(21), 10);
    expect(result.p).toBeCloseTo(0.049535, 5);
  });

  test('a lead still in the stage is only "at least" its time: it cannot be ordered before a longer stay', () => {
    // 10+ (censored) against 5 and 20: 5 is surely shorter than 10+, 20 is not comparable with it.
    // Scores: 10+ → +1 (5 below it); 5 → −2 (10+ and 20 above); 20 → +1 (5 below).
    // First sum 1; variance 1·2/(3·2) · (1 + 4 + 1) = 2; z = 1/√2.
    const result = gehanWilcoxonTest(censoredSampleOf([], [10]), times(5, 20));
    expect(result.statistic).toBeCloseTo(1 / Math.SQRT2, 10);
  });

  test('identical samples give z = 0', () => {
    expect(gehanWilcoxonTest(times(3, 3), times(3, 3))).toMatchObject({ statistic: 0, p: 1 });
  });

  /** Each observation's score by comparing every pair: the definition the faster forms must equal. */
  const pairwiseScores = (all: readonly CensoredTime[]) => {
    const shorter = (x: CensoredTime, y: CensoredTime) =>
      !x.censored && (x.value < y.value || (x.value === y.value && y.censored));
    return all.map((x) => all.filter((y) => shorter(y, x)).length - all.filter((y) => shorter(x, y)).length);
  };
  /** A seeded stream of numbers in [0, 1). */
  const randomFrom = (start: number) => {
    let seed = start;
    return () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
  };

  test('the sorted scores equal the pairwise count, with ties and censoring everywhere', () => {
    const next = randomFrom(7);
    for (let round = 0; round < 40; round++) {
      const all = Array.from({ length: 1 + Math.floor(next() * 60) }, () => ({
        value: Math.floor(next() * 8),
        censored: next() < 0.4,
      }));
      expect(gehanScores(all)).toEqual(pairwiseScores(all));
    }
  });

  test("the test's sums, one pass over the distinct values, equal the pairwise scores'", () => {
    const next = randomFrom(11);
    const sample = (length: number) =>
      Array.from({ length }, () => ({ value: Math.floor(next() * 6), censored: next() < 0.4 }));
    for (let round = 0; round < 60; round++) {
      // Empty samples, one-sided ones and heavy ties included.
      const first = sample(Math.floor(next() * 25));
      const second = sample(round % 7 === 0 ? 0 : Math.floor(next() * 25));
      const scores = pairwiseScores([...first, ...second]);
      expect(gehanSums(censoredSample(first), censoredSample(second))).toEqual({
        sum: scores.slice(0, first.length).reduce((total, score) => total + score, 0),
        squares: scores.reduce((total, score) => total + score * score, 0),
      });
    }
  });
});

describe('censored samples', () => {
  test('quantiles and the count of open times longer than a value equal those of the unsplit list', () => {
    let seed = 5;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (let round = 0; round < 200; round++) {
      // Heavy ties, one-sided splits and single values included.
      const all = Array.from({ length: 1 + Math.floor(next() * 30) }, () => ({
        value: Math.floor(next() * (round % 3 === 0 ? 4 : 1000)),
        censored: next() < (round % 5) / 4,
      }));
      const sample = censoredSample(all);
      const values = all.map((time) => time.value);
      for (const q of [0, 0.1, 0.5, 0.9, 1]) expect(sampleQuantile(sample, q)).toBe(quantile(values, q));
      const cut = Math.floor(next() * 1000);
      expect(openLongerThan(sample, cut)).toBe(
        all.filter((time) => time.censored && time.value > cut).length,
      );
    }
    expect(sampleQuantile(censoredSampleOf([], []), 0.5)).toBeNull();
    // 1, 2 ended and 3, 4 open: the median is 2.5 whichever list holds which.
    expect(sampleQuantile(censoredSampleOf([4, 1], [3, 2]), 0.5)).toBe(2.5);
  });

  test('a time that is not a finite number is refused, not sorted to an end', () => {
    expect(() => censoredSampleOf([1, Number.NaN], [])).toThrow(/finite/);
    expect(() => censoredSampleOf([], [Number.POSITIVE_INFINITY])).toThrow(/finite/);
  });
});

describe('benjaminiHochberg', () => {
  test('adjusts p-values by rank and keeps them monotone, in the order given', () => {
    // Sorted 0.005, 0.01, 0.03, 0.04 → ×4/rank 0.02, 0.02, 0.04, 0.04.
    expect(benjaminiHochberg([0.01, 0.04, 0.03, 0.005])).toEqual([0.02, 0.04, 0.04, 0.02]);
    expect(benjaminiHochberg([0.5, 0.9])).toEqual([0.9, 0.9]);
    expect(benjaminiHochberg([])).toEqual([]);
  });
});
