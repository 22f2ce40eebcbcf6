import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '@spikelite/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { fsFitLoss } from './fs-fit.js';
import { expectGradMatchesFd } from '../test/util.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

describe('FS fit loss (SPEC §3c)', () => {
  it('equals mean(imp·(f − f̂)²) + c·Σ_t mean(max(|v_s| − 1, 0))², hand-computed', () => {
    const f = tf.tensor1d([1, 2]);
    const fhat = tf.tensor1d([0.5, 2.5]);
    // step 1: mean(0.5, 0) = 0.25 → 0.0625; step 2: mean(2, 0) = 1 → 1
    const vs = tf.tensor2d([[1.5, 0.5], [-3, 0]]);
    expect(fsFitLoss(f, fhat, vs, 0.1).dataSync()[0]).toBeCloseTo(0.25 + 0.1 * 1.0625, 6);
    // list of steps = stacked tensor
    expect(fsFitLoss(f, fhat, tf.unstack(vs), 0.1).dataSync()[0]).toBeCloseTo(0.35625, 6);
    // importance [2, 1]: mean(0.5, 0.25) = 0.375
    expect(fsFitLoss(f, fhat, vs, 0.1, tf.tensor1d([2, 1])).dataSync()[0]).toBeCloseTo(0.375 + 0.10625, 6);
    // c = 0 or no steps: the fit term alone
    expect(fsFitLoss(f, fhat, vs, 0).dataSync()[0]).toBeCloseTo(0.25, 6);
    expect(fsFitLoss(f, fhat, [], 0.1).dataSync()[0]).toBeCloseTo(0.25, 6);
    expect(() => fsFitLoss(f, tf.tensor1d([1]), vs, 0.1)).toThrow(/differ in size/);
  });

  it('gradients w.r.t. f̂ and v_s match finite differences', () => {
    const f = tf.tensor1d([0.2, -0.4, 1.1]);
    const vs = tf.tensor2d([[1.6, -0.3, -2.2], [0.4, 1.3, -1.5]]);
    const fhat0 = [0.5, -0.1, 0.7];
    expectGradMatchesFd((fh) => fsFitLoss(f, fh, vs, 0.1), fhat0, [3], { eps: 1e-2 });
    const fhat = tf.tensor1d(fhat0);
    // away from the kinks |v| = 1 and v = 0
    const g = expectGradMatchesFd((v) => fsFitLoss(f, fhat, v, 0.1), [1.6, -0.3, -2.2, 0.4, 1.3, -1.5], [2, 3], { eps: 1e-2 });
    expect(Math.abs(g[1]!)).toBe(0); // |v| < 1: no penalty gradient
    expect(g[0]).toBeGreaterThan(0);
    expect(g[2]).toBeLessThan(0);
  });
});
