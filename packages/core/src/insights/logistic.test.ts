import { describe, expect, test } from 'vitest';
import { fitLogistic, predictLogit, sigmoid, solveCholesky } from './logistic.ts';

describe('fitLogistic', () => {
  test('recovers the log-odds of a saturated model (one yes/no feature) with a tiny penalty', () => {
    // Without the feature 10 % win; with it 40 %: intercept log(1/9), weight log(4/6) − log(1/9).
    const rows: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < 1000; i++) {
      rows.push([]);
      labels.push(i < 100 ? 1 : 0);
    }
    for (let i = 0; i < 500; i++) {
      rows.push([0]);
      labels.push(i < 200 ? 1 : 0);
    }
    const model = fitLogistic(rows, labels, 1, { lambda: 1e-6 });
    expect(model.converged).toBe(true);
    expect(model.intercept).toBeCloseTo(Math.log(1 / 9), 4);
    expect(model.weights[0]).toBeCloseTo(Math.log(4 / 6) - Math.log(1 / 9), 4);
    expect(sigmoid(predictLogit(model, [0]))).toBeCloseTo(0.4, 4);
  });

  test('shrinks weights towards 0 as λ grows, and stays finite under perfect separation', () => {
    const rows = [[0], [0], [0], [], [], [1]];
    const labels = [1, 1, 1, 0, 0, 0];
    const loose = fitLogistic(rows, labels, 2, { lambda: 0.01 });
    const tight = fitLogistic(rows, labels, 2, { lambda: 10 });
    expect(Number.isFinite(loose.weights[0])).toBe(true);
    expect(loose.weights[0]).toBeGreaterThan(tight.weights[0] as number);
    expect(tight.weights[0]).toBeGreaterThan(0);
    expect(tight.weights[1]).toBeLessThan(0);
  });

  test('matches the gradient condition of the penalised likelihood at the optimum', () => {
    const rows = [[0, 1], [0], [1], [], [0, 1], [1], [0], []];
    const labels = [1, 1, 0, 0, 1, 1, 0, 0];
    const lambda = 0.5;
    const model = fitLogistic(rows, labels, 2, { lambda });
    for (const feature of [0, 1]) {
      let gradient = -lambda * (model.weights[feature] as number);
      rows.forEach((row, i) => {
        if (row.includes(feature)) gradient += (labels[i] as number) - sigmoid(predictLogit(model, row));
      });
      expect(Math.abs(gradient)).toBeLessThan(1e-6);
    }
  });
});

describe('solveCholesky', () => {
  test('solves a symmetric positive-definite system', () => {
    const x = solveCholesky(Float64Array.from([4, 2, 2, 3]), Float64Array.from([2, 1]), 2);
    expect(x[0]).toBeCloseTo(0.5, 12);
    expect(x[1]).toBeCloseTo(0, 12);
  });
});
