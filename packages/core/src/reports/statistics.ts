/**
 * Order statistics for reports. Quantiles interpolate linearly between the two nearest ranks
 * (the "inclusive" definition of spreadsheets and numpy's default): the median of 1, 2, 3, 4 is
 * 2.5 and its 90th percentile 3.7. No values give null, not zero: "nobody left the stage yet"
 * is not "they left at once".
 */
export function quantile(values: readonly number[], q: number): number | null {
  return quantiles(values, [q])[0] ?? null;
}

/** Several quantiles of the same values (interpolated linearly), sorting them once. */
export function quantiles(values: readonly number[], qs: readonly number[]): (number | null)[] {
  for (const q of qs) if (!(q >= 0 && q <= 1)) throw new Error(`a quantile is between 0 and 1, got ${q}`);
  if (values.length === 0) return qs.map(() => null);
  // A typed array sorts numbers natively, several times faster than a comparator (70k values:
  // the follow-through report's groups sort every list of times).
  const sorted = Float64Array.from(values).sort();
  return qs.map((q) => {
    const position = (sorted.length - 1) * q;
    const below = Math.floor(position);
    const low = sorted[below] as number;
    const high = sorted[Math.min(below + 1, sorted.length - 1)] as number;
    return low + (high - low) * (position - below);
  });
}

export function median(values: readonly number[]): number | null {
  return quantile(values, 0.5);
}

/** `part / whole`, or null when the whole is zero (a rate of nothing is unknown, not 0 %). */
export function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

/** Rounds for display in reports (4 decimals for rates, 2 for hours and money). */
export function round(value: number | null, decimals: number): number | null {
  if (value === null) return null;
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
