/** The normal quantile of a two-sided 95 % interval. */
const z95 = 1.959963984540054;

/**
 * The Wilson score interval of a proportion (`successes` of `trials`), 95 % by default. Unlike
 * the normal approximation it stays inside [0, 1] and is wide when the sample is small: 3 of 3
 * gives [0.44, 1], not [1, 1]. No trials gives [0, 1].
 */
export function wilsonInterval(successes: number, trials: number, z = z95): { low: number; high: number } {
  if (trials <= 0) return { low: 0, high: 1 };
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  // At 0 or all successes the bound is exactly 0 or 1 (floating point would miss it by 1e-18).
  return {
    low: successes <= 0 ? 0 : Math.max(0, centre - half),
    high: successes >= trials ? 1 : Math.min(1, centre + half),
  };
}

/**
 * Area under the ROC curve: the chance that a random positive scores above a random negative,
 * ties counting half (the Mann–Whitney statistic, from average ranks). Null without both classes.
 */
export function areaUnderCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (scores[a] as number) - (scores[b] as number),
  );
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && scores[order[end + 1] as number] === scores[order[start] as number]) end++;
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (labels[order[k] as number] === 1) {
        positives++;
        rankSum += averageRank;
      }
    }
    start = end + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean squared error of probabilities against 0/1 outcomes. */
export function brierScore(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  if (probabilities.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const error = (probabilities[i] as number) - (labels[i] as number);
    sum += error * error;
  }
  return sum / probabilities.length;
}

/** Mean negative log-likelihood, probabilities clipped to [1e-12, 1 − 1e-12]. */
export function logLoss(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  if (probabilities.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = Math.min(1 - 1e-12, Math.max(1e-12, probabilities[i] as number));
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / probabilities.length;
}

export type ReliabilityBin = {
  /** Predicted probabilities in [from, to). */
  from: number;
  to: number;
  leads: number;
  meanPredicted: number | null;
  observed: number | null;
  /** Wilson 95 % interval of the observed rate. */
  observedLow: number | null;
  observedHigh: number | null;
};

/**
 * The reliability table: leads binned by predicted probability into equal-count bins (deciles by
 * default, so every row has enough leads to read), each with its mean prediction and observed rate.
 */
export function reliabilityTable(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  bins = 10,
): ReliabilityBin[] {
  const n = probabilities.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (probabilities[a] as number) - (probabilities[b] as number),
  );
  const rows: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const start = Math.floor((b * n) / bins);
    const end = Math.floor(((b + 1) * n) / bins);
    if (end <= start) continue;
    let predicted = 0;
    let wins = 0;
    for (let k = start; k < end; k++) {
      const i = order[k] as number;
      predicted += probabilities[i] as number;
      wins += labels[i] as number;
    }
    const leads = end - start;
    const interval = wilsonInterval(wins, leads);
    rows.push({
      from: probabilities[order[start] as number] as number,
      to: probabilities[order[end - 1] as number] as number,
      leads,
      meanPredicted: predicted / leads,
      observed: wins / leads,
      observedLow: interval.low,
      observedHigh: interval.high,
    });
  }
  return rows;
}

/**
 * How much more often the top tenth of leads by score became customers than leads on average
 * (ties at the cut broken by input order). Null when nobody did.
 */
export function liftAtTopDecile(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  const n = scores.length;
  if (n === 0) return null;
  let total = 0;
  for (let i = 0; i < n; i++) total += labels[i] as number;
  if (total === 0) return null;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (scores[b] as number) - (scores[a] as number) || a - b,
  );
  const top = Math.max(1, Math.round(n / 10));
  let wins = 0;
  for (let k = 0; k < top; k++) wins += labels[order[k] as number] as number;
  return wins / top / (total / n);
}
