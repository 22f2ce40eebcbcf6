// Test helpers (not part of the build: the package builds src/ only).
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** −mean_n Σ_c y log softmax(z), in float64. */
export function ceRef(logits: number[][], targets: number[][]): number {
  let total = 0;
  logits.forEach((z, n) => {
    const m = Math.max(...z);
    const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
    z.forEach((v, c) => (total -= targets[n]![c]! * (v - lse)));
  });
  return total / logits.length;
}

export const oneHot = (labels: number[], classes: number): number[][] =>
  labels.map((l) => Array.from({ length: classes }, (_, c) => (c === l ? 1 : 0)));

/**
 * Compare tf.grad of `f` at x0 with central finite differences (eps) for every element:
 * |analytic − numeric| ≤ tol·(1 + |numeric|). Returns the analytic gradient.
 */
export function expectGradMatchesFd(
  f: (x: tf.Tensor) => tf.Scalar,
  x0: number[],
  shape: number[],
  { eps = 1e-3, tol = 3e-3 } = {},
): number[] {
  const g = tf.tidy(() => Array.from(tf.grad(f)(tf.tensor(x0, shape)).dataSync()));
  const value = (x: number[]): number => tf.tidy(() => f(tf.tensor(x, shape)).dataSync()[0]!);
  x0.forEach((_, i) => {
    const xp = x0.slice();
    const xm = x0.slice();
    xp[i]! += eps;
    xm[i]! -= eps;
    const numeric = (value(xp) - value(xm)) / (2 * eps);
    expect(Number.isFinite(g[i]!)).toBe(true);
    expect(Math.abs(g[i]! - numeric)).toBeLessThanOrEqual(tol * (1 + Math.abs(numeric)));
  });
  return g;
}
