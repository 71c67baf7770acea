/**
 * L2-regularised logistic regression on yes/no features, fitted by Newton's method (iteratively
 * reweighted least squares) with a Cholesky solve. Rows are lists of the indices of the features
 * that hold; identical rows are folded into one weighted row first, so a million leads with a few
 * hundred distinct feature sets cost a few hundred rows per iteration. The intercept is not
 * penalised. Minimises  −Σ log-likelihood + (λ/2)·‖w‖².
 */
export type LogisticModel = {
  intercept: number;
  weights: Float64Array;
  /** Newton iterations run, and whether the step became negligible before the limit. */
  iterations: number;
  converged: boolean;
};

export type LogisticOptions = {
  lambda: number;
  maxIterations?: number;
  tolerance?: number;
  /** Where Newton starts (a nearby λ's solution saves iterations); default the base rate. */
  start?: LogisticModel;
};

type Pattern = { indices: number[]; count: number; positives: number };

/** Folds identical rows: each distinct feature set with how many rows had it and how many were positive. */
export function compressRows(rows: readonly (readonly number[])[], labels: ArrayLike<number>): Pattern[] {
  const patterns = new Map<string, Pattern>();
  for (let r = 0; r < rows.length; r++) {
    const indices = rows[r] as readonly number[];
    const key = indices.join(',');
    let pattern = patterns.get(key);
    if (pattern === undefined) {
      pattern = { indices: [...indices], count: 0, positives: 0 };
      patterns.set(key, pattern);
    }
    pattern.count++;
    pattern.positives += labels[r] === 1 ? 1 : 0;
  }
  return [...patterns.values()];
}

export function fitLogistic(
  rows: readonly (readonly number[])[],
  labels: ArrayLike<number>,
  features: number,
  options: LogisticOptions,
): LogisticModel {
  return fitPatterns(compressRows(rows, labels), features, options);
}

export function fitPatterns(
  patterns: readonly Pattern[],
  features: number,
  options: LogisticOptions,
): LogisticModel {
  const { lambda } = options;
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-12;
  const size = features + 1; // the intercept is the last coordinate
  const beta = new Float64Array(size);
  let total = 0;
  let positives = 0;
  for (const pattern of patterns) {
    total += pattern.count;
    positives += pattern.positives;
  }
  if (total === 0) throw new Error('cannot fit a model to no rows');
  const base = Math.min(1 - 1e-6, Math.max(1e-6, positives / total));
  beta[features] = Math.log(base / (1 - base));
  if (options.start !== undefined && options.start.weights.length === features) {
    beta.set(options.start.weights);
    beta[features] = options.start.intercept;
  }

  const hessian = new Float64Array(size * size);
  const gradient = new Float64Array(size);
  let iterations = 0;
  let converged = false;
  let previousObjective = objective(patterns, beta, features, lambda);
  while (iterations < maxIterations) {
    iterations++;
    hessian.fill(0);
    gradient.fill(0);
    for (const pattern of patterns) {
      const eta = linear(beta, pattern.indices, features);
      const p = sigmoid(eta);
      const weight = pattern.count * p * (1 - p);
      const residual = pattern.positives - pattern.count * p;
      const { indices } = pattern;
      for (let a = 0; a < indices.length; a++) {
        const i = indices[a] as number;
        gradient[i] = (gradient[i] as number) + residual;
        const row = i * size;
        for (let b = a; b < indices.length; b++) {
          const j = indices[b] as number;
          hessian[row + j] = (hessian[row + j] as number) + weight;
        }
        hessian[row + features] = (hessian[row + features] as number) + weight;
      }
      gradient[features] = (gradient[features] as number) + residual;
      hessian[features * size + features] = (hessian[features * size + features] as number) + weight;
    }
    for (let i = 0; i < features; i++) {
      gradient[i] = (gradient[i] as number) - lambda * (beta[i] as number);
      hessian[i * size + i] = (hessian[i * size + i] as number) + lambda;
    }
    // Only the upper triangle was accumulated (indices are ascending, the intercept is last).
    for (let i = 0; i < size; i++) {
      for (let j = i + 1; j < size; j++) hessian[j * size + i] = hessian[i * size + j] as number;
    }
    // A tiny ridge keeps features that never occur (or the intercept alone) solvable.
    for (let i = 0; i < size; i++) hessian[i * size + i] = (hessian[i * size + i] as number) + 1e-9;
    const step = solveCholesky(hessian, gradient, size);
    // Damped step: halve until the penalised likelihood improves (Newton can overshoot at separation).
    let scale = 1;
    let next = new Float64Array(size);
    let nextObjective = Number.POSITIVE_INFINITY;
    for (let halvings = 0; halvings < 30; halvings++) {
      for (let i = 0; i < size; i++) next[i] = (beta[i] as number) + scale * (step[i] as number);
      nextObjective = objective(patterns, next, features, lambda);
      if (nextObjective <= previousObjective + 1e-12) break;
      scale /= 2;
    }
    if (nextObjective > previousObjective + 1e-12) {
      converged = true;
      break;
    }
    let change = 0;
    for (let i = 0; i < size; i++)
      change = Math.max(change, Math.abs((next[i] as number) - (beta[i] as number)));
    beta.set(next);
    next = new Float64Array(size);
    const improvement = previousObjective - nextObjective;
    previousObjective = nextObjective;
    if (change < 1e-9 || improvement < tolerance * total) {
      converged = true;
      break;
    }
  }
  return { intercept: beta[features] as number, weights: beta.slice(0, features), iterations, converged };
}

/** Penalised negative log-likelihood. */
function objective(
  patterns: readonly Pattern[],
  beta: Float64Array,
  features: number,
  lambda: number,
): number {
  let value = 0;
  for (const pattern of patterns) {
    const eta = linear(beta, pattern.indices, features);
    // log(1 + e^η) computed without overflow
    const softplus = eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta));
    value += pattern.count * softplus - pattern.positives * eta;
  }
  let penalty = 0;
  for (let i = 0; i < features; i++) penalty += (beta[i] as number) ** 2;
  return value + (lambda / 2) * penalty;
}

function linear(beta: ArrayLike<number>, indices: readonly number[], interceptAt: number): number {
  let eta = beta[interceptAt] as number;
  for (const index of indices) eta += beta[index] as number;
  return eta;
}

export function sigmoid(eta: number): number {
  return eta >= 0 ? 1 / (1 + Math.exp(-eta)) : Math.exp(eta) / (1 + Math.exp(eta));
}

/** The model's log-odds for a row of feature indices. */
export function predictLogit(model: LogisticModel, indices: readonly number[]): number {
  let eta = model.intercept;
  for (const index of indices) eta += model.weights[index] as number;
  return eta;
}

/** Solves A·x = b for a symmetric positive-definite A (row-major, n×n). */
export function solveCholesky(matrix: Float64Array, vector: Float64Array, n: number): Float64Array {
  const lower = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i * n + j] as number;
      for (let k = 0; k < j; k++) sum -= (lower[i * n + k] as number) * (lower[j * n + k] as number);
      if (i === j) {
        if (sum <= 0) throw new Error('matrix is not positive definite');
        lower[i * n + i] = Math.sqrt(sum);
      } else {
        lower[i * n + j] = sum / (lower[j * n + j] as number);
      }
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = vector[i] as number;
    for (let k = 0; k < i; k++) sum -= (lower[i * n + k] as number) * (y[k] as number);
    y[i] = sum / (lower[i * n + i] as number);
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i] as number;
    for (let k = i + 1; k < n; k++) sum -= (lower[k * n + i] as number) * (x[k] as number);
    x[i] = sum / (lower[i * n + i] as number);
  }
  return x;
}
