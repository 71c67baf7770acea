/**
 * The significance tests behind clog detection, each with its textbook definition so a figure can
 * be checked by hand:
 *
 * - conversion: the two-proportion z-test (pooled standard error) when every expected cell of the
 *   2×2 table is at least 5, else Fisher's exact test (two-sided: the probability of every table
 *   with the same margins that is no more likely than the one observed);
 * - time in stage: the Mann–Whitney U test, in Gehan's generalisation for right-censored times
 *   (leads still in the stage count as "at least this long"), with Mantel's permutation variance
 *   and the normal approximation. Without censoring it is exactly Mann–Whitney U with the tie
 *   correction;
 * - many tests at once: Benjamini–Hochberg adjusted p-values (q-values), which bound the expected
 *   share of false alarms among the flags.
 */

/** erfc(x), Numerical Recipes' Chebyshev fit (fractional error below 1.2e-7 everywhere). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** P(|Z| ≥ |z|) for a standard normal Z. */
export function twoSidedNormalP(z: number): number {
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}

export type ProportionTest = {
  test: 'two-proportion-z' | 'fisher-exact';
  /** z for the z-test (positive when the first proportion is higher); null for Fisher's test. */
  statistic: number | null;
  p: number;
};

/** Two-proportion z-test of x1/n1 against x2/n2 with the pooled proportion. */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number): ProportionTest {
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { test: 'two-proportion-z', statistic: 0, p: 1 };
  const z = (x1 / n1 - x2 / n2) / se;
  return { test: 'two-proportion-z', statistic: z, p: twoSidedNormalP(z) };
}

const logFactorials: number[] = [0];
function logFactorial(n: number): number {
  for (let k = logFactorials.length; k <= n; k++)
    logFactorials[k] = (logFactorials[k - 1] as number) + Math.log(k);
  return logFactorials[n] as number;
}

/**
 * Fisher's exact test of the 2×2 table [[a, b], [c, d]] (rows: the two groups; columns: converted
 * or not), two-sided: the summed probability of all tables with the same margins whose
 * probability is at most the observed one's (with a relative tolerance of 1e-7 for rounding).
 */
export function fisherExactTest(a: number, b: number, c: number, d: number): ProportionTest {
  const row1 = a + b;
  const row2 = c + d;
  const col1 = a + c;
  const n = row1 + row2;
  const constant =
    logFactorial(row1) + logFactorial(row2) + logFactorial(col1) + logFactorial(n - col1) - logFactorial(n);
  const logP = (x: number) =>
    constant -
    logFactorial(x) -
    logFactorial(row1 - x) -
    logFactorial(col1 - x) -
    logFactorial(row2 - col1 + x);
  const observed = logP(a);
  let p = 0;
  for (let x = Math.max(0, col1 - row2); x <= Math.min(row1, col1); x++) {
    const logPx = logP(x);
    if (logPx <= observed + 1e-7) p += Math.exp(logPx);
  }
  return { test: 'fisher-exact', statistic: null, p: Math.min(1, p) };
}

/** The z-test when every expected cell is at least 5, else Fisher's exact test. */
export function compareProportions(x1: number, n1: number, x2: number, n2: number): ProportionTest {
  const n = n1 + n2;
  const converted = x1 + x2;
  const expected = [n1, n2].flatMap((size) => [(size * converted) / n, (size * (n - converted)) / n]);
  return Math.min(...expected) >= 5
    ? twoProportionZTest(x1, n1, x2, n2)
    : fisherExactTest(x1, n1 - x1, x2, n2 - x2);
}

/** A time, and whether it is only a lower bound (the lead is still in the stage). */
export type CensoredTime = { value: number; censored: boolean };

export type RankTest = {
  test: 'mann-whitney-gehan';
  /** Standardised statistic: positive when the first sample's times are longer. */
  statistic: number;
  p: number;
};

/**
 * Times in a stage split by whether they ended, each list sorted ascending: the form the test and
 * the medians read (a clog report holds about a million times at 1M contacts, sorted once here
 * and never turned into one object each). `open` are lower bounds: the lead is still in the stage.
 */
export type CensoredSample = { ended: Float64Array; open: Float64Array };

/** The sample of `times`, split and sorted. */
export function censoredSample(times: readonly CensoredTime[]): CensoredSample {
  return finite({ ended: sortedTimes(times, false), open: sortedTimes(times, true) });
}

/** The sample of two unsorted lists of values: times that ended, and times still running. */
export function censoredSampleOf(ended: ArrayLike<number>, open: ArrayLike<number>): CensoredSample {
  // Typed arrays sort numbers natively, several times faster than a comparator.
  return finite({ ended: Float64Array.from(ended).sort(), open: Float64Array.from(open).sort() });
}

/** The sample, once every time is known to be a finite number (sorted, NaN and ±∞ are at the ends). */
function finite(sample: CensoredSample): CensoredSample {
  for (const list of [sample.ended, sample.open]) {
    if (list.length > 0 && !(Number.isFinite(list[0]) && Number.isFinite(list[list.length - 1])))
      throw new Error('a time in stage must be a finite number of milliseconds');
  }
  return sample;
}

export function sampleSize(sample: CensoredSample): number {
  return sample.ended.length + sample.open.length;
}

/** The `k`-th smallest (from 0) of both lists together, ended or not. */
function kthSmallest(sample: CensoredSample, k: number): number {
  const { ended, open } = sample;
  // Binary search for how many of the k + 1 smallest come from `ended`.
  let low = Math.max(0, k + 1 - open.length);
  let high = Math.min(k + 1, ended.length);
  while (low < high) {
    const fromEnded = (low + high) >>> 1;
    const fromOpen = k + 1 - fromEnded;
    // Too few taken from `ended` while its next value is below the last one taken from `open`.
    if ((ended[fromEnded] as number) < (open[fromOpen - 1] as number)) low = fromEnded + 1;
    else high = fromEnded;
  }
  const lastEnded = low > 0 ? (ended[low - 1] as number) : Number.NEGATIVE_INFINITY;
  const lastOpen = k + 1 - low > 0 ? (open[k - low] as number) : Number.NEGATIVE_INFINITY;
  return Math.max(lastEnded, lastOpen);
}

/**
 * A quantile of the times, ended or not (still running counts as the time so far), interpolated
 * as core `quantile` does; null for no times.
 */
export function sampleQuantile(sample: CensoredSample, q: number): number | null {
  const size = sampleSize(sample);
  if (size === 0) return null;
  const position = (size - 1) * q;
  const below = Math.floor(position);
  const low = kthSmallest(sample, below);
  const high = kthSmallest(sample, Math.min(below + 1, size - 1));
  return low + (high - low) * (position - below);
}

/** How many of the times still running are longer than `value`. */
export function openLongerThan(sample: CensoredSample, value: number): number {
  return sample.open.length - countBelow(sample.open, value, false);
}

/**
 * Mann–Whitney U in Gehan's form for right-censored samples. Each observation scores
 * (how many observations are surely shorter) − (how many are surely longer), over both samples;
 * x is surely shorter than y when x is not censored and x < y (or x = y with y censored). The
 * statistic is the first sample's score sum over its permutation standard deviation
 * √(n1·n2 / (N·(N−1)) · Σ score²).
 */
export function gehanWilcoxonTest(first: CensoredSample, second: CensoredSample): RankTest {
  const n1 = sampleSize(first);
  const n = n1 + sampleSize(second);
  const { sum, squares } = gehanSums(first, second);
  const variance = n < 2 ? 0 : ((n1 * (n - n1)) / (n * (n - 1))) * squares;
  if (variance === 0) return { test: 'mann-whitney-gehan', statistic: 0, p: 1 };
  const z = sum / Math.sqrt(variance);
  return { test: 'mann-whitney-gehan', statistic: z, p: twoSidedNormalP(z) };
}

/** The values of the times that are (or are not) censored, sorted. */
function sortedTimes(times: readonly CensoredTime[], censored: boolean): Float64Array {
  let count = 0;
  for (const time of times) if (time.censored === censored) count += 1;
  const values = new Float64Array(count);
  let index = 0;
  for (const time of times) if (time.censored === censored) values[index++] = time.value;
  return values.sort();
}

/**
 * What the test needs of the `gehanScores` of both samples together: the first sample's score sum
 * and the sum of every score squared. One pass over the distinct values in order, from the four
 * sorted lists (each sample's uncensored and censored times): every observation with the same
 * value and censoring has the same score, so each distinct value is scored once.
 */
export function gehanSums(first: CensoredSample, second: CensoredSample): { sum: number; squares: number } {
  // A four-way merge of the sorted lists, one run of equal values at a time (each list's position
  // in a local: the report merges about a million times at 1M contacts).
  const { ended: e1, open: o1 } = first;
  const { ended: e2, open: o2 } = second;
  const total = e1.length + o1.length + e2.length + o2.length;
  let [a, b, c, d] = [0, 0, 0, 0];
  let uncensoredBelow = 0;
  let seen = 0;
  let sum = 0;
  let squares = 0;
  while (seen < total) {
    let value = Number.POSITIVE_INFINITY;
    if (a < e1.length && (e1[a] as number) < value) value = e1[a] as number;
    if (b < o1.length && (o1[b] as number) < value) value = o1[b] as number;
    if (c < e2.length && (e2[c] as number) < value) value = e2[c] as number;
    if (d < o2.length && (o2[d] as number) < value) value = o2[d] as number;
    const [a0, b0, c0, d0] = [a, b, c, d];
    while (a < e1.length && e1[a] === value) a += 1;
    while (b < o1.length && o1[b] === value) b += 1;
    while (c < e2.length && e2[c] === value) c += 1;
    while (d < o2.length && o2[d] === value) d += 1;
    const [u1, c1] = [a - a0, b - b0];
    const uncensored = u1 + c - c0;
    const censored = c1 + d - d0;
    seen += uncensored + censored;
    // An uncensored x: the uncensored strictly below it, minus everything above it and the
    // censored at it (surely longer). A censored x: the uncensored at or below it.
    const uncensoredScore = uncensoredBelow - (total - seen) - censored;
    const censoredScore = uncensoredBelow + uncensored;
    sum += u1 * uncensoredScore + c1 * censoredScore;
    squares += uncensored * uncensoredScore * uncensoredScore + censored * censoredScore * censoredScore;
    uncensoredBelow += uncensored;
  }
  return { sum, squares };
}

/** How many of the sorted `values` are below `value` (`strict`) or at most `value`. */
function countBelow(values: Float64Array, value: number, strict: boolean): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const at = values[middle] as number;
    if (strict ? at < value : at <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Each observation's Gehan score against all of them, in O(N log N) from sorted values instead
 * of comparing every pair: y is surely shorter than x when y is not censored and y < x, or y = x
 * with x censored; x is surely shorter than y when x is not censored and x < y, or x = y with y
 * censored. Equal to the pairwise count (the tests compare them).
 */
export function gehanScores(all: readonly CensoredTime[]): number[] {
  // Typed arrays sort numbers natively, several times faster than a comparator (the clog report
  // scores 1.8 million times at 1M contacts).
  const sorted = (keep: (x: CensoredTime) => boolean) => {
    const values = new Float64Array(all.reduce((count, x) => (keep(x) ? count + 1 : count), 0));
    let index = 0;
    for (const x of all) if (keep(x)) values[index++] = x.value;
    return values.sort();
  };
  const uncensored = sorted((x) => !x.censored);
  const censored = sorted((x) => x.censored);
  const values = sorted(() => true);
  return all.map((x) => {
    // A censored x has the uncensored at or below it under it, and nothing surely above it.
    if (x.censored) return countBelow(uncensored, x.value, false);
    const uncensoredBelow = countBelow(uncensored, x.value, true);
    const longer = values.length - countBelow(values, x.value, false);
    const censoredEqual = countBelow(censored, x.value, false) - countBelow(censored, x.value, true);
    return uncensoredBelow - longer - censoredEqual;
  });
}

/**
 * Benjamini–Hochberg adjusted p-values, in the order given: q(i) = min over j ≥ rank(i) of
 * p(j)·m / j, capped at 1. Flagging q ≤ α keeps the expected false discovery rate at most α.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, index) => ({ p, index })).sort((a, b) => a.p - b.p);
  const adjusted = new Array<number>(m).fill(1);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const item = order[rank - 1] as { p: number; index: number };
    running = Math.min(running, (item.p * m) / rank);
    adjusted[item.index] = Math.min(1, running);
  }
  return adjusted;
}
