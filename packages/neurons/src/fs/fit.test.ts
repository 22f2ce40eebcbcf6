import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, initEngine } from '@spikelite/engine';
import type { FsCoefficients } from '@spikelite/schemas';
import { fitFsCoefficients, fsFitGrid, fsFitLoss, fsFitLossGrad, fsFitLossTensor, fsImportance, fsReluCoefficients } from './index.js';

const relu = (x: number) => Math.max(0, x);

describe('FS fit loss', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'cpu' });
  });

  it('hand-written gradient equals tfjs autograd of fsFitLossTensor (surrogate, regularizer, importance)', () => {
    const rng = createRng(11);
    const K = 5;
    const u = (lo: number, hi: number) => Array.from({ length: K }, () => lo + (hi - lo) * rng.next());
    // T spread wide so that some |v_s| exceed 1 and the regularizer is active
    const coeffs: FsCoefficients = { h: u(-1, 1), d: u(-0.5, 1), T: u(-3, 3) };
    const x = Array.from(fsFitGrid(-3, 3, 400), Math.fround); // even count: no point at v = 0
    const y = x.map(Math.tanh);
    const imp = x.map(() => 0.5 + rng.next());
    const c = 0.1;
    const ours = fsFitLossGrad(x, y, coeffs, { c, importance: imp });
    expect(ours.reg).toBeGreaterThan(0);

    const params = { h: tf.tensor1d(coeffs.h), d: tf.tensor1d(coeffs.d), T: tf.tensor1d(coeffs.T) };
    const xt = tf.tensor1d(x);
    const yt = tf.tensor1d(y);
    const it = tf.tensor1d(imp);
    const [gh, gd, gT] = tf.grads((h: tf.Tensor, d: tf.Tensor, T: tf.Tensor) => fsFitLossTensor(xt, yt, { h, d, T }, { c, importance: it }))([
      params.h,
      params.d,
      params.T,
    ]);
    const lossT = fsFitLossTensor(xt, yt, params, { c, importance: it }).dataSync()[0]!;
    expect(lossT).toBeCloseTo(ours.loss, 5);
    for (const [name, want, got] of [
      ['h', gh!, ours.grad.h],
      ['d', gd!, ours.grad.d],
      ['T', gT!, ours.grad.T],
    ] as const) {
      const w = Array.from(want.dataSync());
      const scale = Math.max(...w.map(Math.abs), 1e-6);
      w.forEach((wv, i) => expect(Math.abs(wv - got[i]!) / scale, `${name}[${i}]`).toBeLessThan(1e-4));
    }
    tf.dispose([xt, yt, it, gh!, gd!, gT!, params.h, params.d, params.T]);
  });

  it('the ReLU closed form has the floor quantizer error (q²/3 on the positive half)', () => {
    const K = 6;
    const alpha = 3;
    const x = fsFitGrid(-3, 3, 60001);
    const y = Array.from(x, relu);
    const { mse } = fsFitLoss(x, y, fsReluCoefficients(K, alpha));
    const q = alpha / 2 ** K;
    expect(mse).toBeCloseTo(q ** 2 / 6, 5); // half the grid is negative, where the error is 0
  });

  it('fsImportance follows find_coeffs.py: 11 at the mean, 10 at ±2σ, 1 at ±3σ, 0.5 at the ends', () => {
    const imp = fsImportance(0, 2, [-10, 10]);
    expect(imp(0)).toBe(11);
    expect(imp(4)).toBe(10);
    expect(imp(-6)).toBe(1);
    expect(imp(-10)).toBe(0.5);
    expect(imp(20)).toBe(0.5);
    expect(imp(5)).toBeCloseTo(5.5, 12);
    expect(() => fsImportance(0, 5, [-10, 10])).toThrow(/mean ± 3·std/);
  });
});

describe('fitFsCoefficients', () => {
  it('fits ReLU with K = 6 on [−3, 3] below 1e-3 MSE, reproducibly', () => {
    // Reference points: the 6-bit floor quantizer with α = 3 (h = d = T = 3·2^−t) has MSE
    // q²/6 = 3.7e-4 here (q = 3/64, error uniform in [0, q) on the positive half); a rounding
    // quantizer q²/24 = 9.2e-5. The target's variance on the grid is 0.94. The bound 1e-3 asks
    // for a fit within ~3x the floor quantizer from random starts with 4 short restarts; seeds
    // 0 and 1 gave 1.7e-4 and 4.9e-4 (paper scale: 100 restarts × ~5000 iterations).
    const opts = { K: 6, range: [-3, 3] as const, points: 1000, restarts: 4, iterations: 800, seed: 0 };
    const a = fitFsCoefficients(relu, opts);
    console.log('fit relu K=6 [-3,3]: mse', a.mse, 'restarts', JSON.stringify(a.restarts));
    expect(a.mse).toBeLessThan(1e-3);
    expect(a.coefficients.h).toHaveLength(6);
    const b = fitFsCoefficients(relu, opts);
    expect(b.coefficients).toEqual(a.coefficients);
    expect(b.mse).toBe(a.mse);
    const other = fitFsCoefficients(relu, { ...opts, restarts: 1, iterations: 50, seed: 1 });
    expect(other.coefficients).not.toEqual(a.coefficients);
    // the reported MSE is the coefficients' own
    const x = fsFitGrid(-3, 3, 1000);
    expect(fsFitLoss(x, Array.from(x, relu), a.coefficients).mse).toBeCloseTo(a.mse, 12);
  });

  it('rejects bad options with the field named', () => {
    expect(() => fitFsCoefficients(relu, { K: 0, range: [-1, 1] })).toThrow(/K must be/);
    expect(() => fitFsCoefficients(relu, { K: 3, range: [1, -1] })).toThrow(/range/);
    expect(() => fitFsCoefficients(relu, { K: 3, range: [-1, 1], restarts: 0 })).toThrow(/restarts/);
    expect(() => fitFsCoefficients(() => NaN, { K: 3, range: [-1, 1] })).toThrow(/not finite/);
  });
});
