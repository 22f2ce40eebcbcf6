import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '@spikelite/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { membraneCe, softmaxCe } from './ce.js';
import { ceRef, expectGradMatchesFd, oneHot } from '../test/util.js';

describe.each(['cpu', 'wasm'] as const)('membrane cross-entropy on %s', (backend) => {
  beforeAll(async () => {
    await initEngine({ backend });
  });

  it('equals the hand-computed value on a small example', () => {
    // row 0: −log(e³/(e + e² + e³)) = log(1 + e⁻¹ + e⁻²) = 0.4076059644; row 1: log 3 = 1.0986122887
    const logits = tf.tensor2d([[1, 2, 3], [0, 0, 0]]);
    const labels = tf.tensor1d([2, 0], 'int32');
    const loss = membraneCe(logits, labels, { on: 'final' });
    expect(loss.shape).toEqual([]);
    expect(loss.dataSync()[0]).toBeCloseTo((0.4076059644 + 1.0986122887) / 2, 6);
    tf.dispose([logits, labels, loss]);
  });

  it("'final' uses U(T) (last trace entry), 'mean' U(T)/T; int and one-hot labels agree", () => {
    // T = 2, N = 2, C = 3; entry 0 must be ignored (only U(T) counts)
    const trace = [
      [[9, -9, 9], [5, 5, -5]],
      [[2, 0, -1], [0.5, 1.5, 3]],
    ];
    const uT = trace[1]!;
    const labels = [0, 2];
    const m = tf.tensor3d(trace);
    const idx = tf.tensor1d(labels, 'int32');
    const hot = tf.tensor2d(oneHot(labels, 3));
    const final = membraneCe(m, idx, { on: 'final' }).dataSync()[0]!;
    const mean = membraneCe(m, idx, { on: 'mean' }).dataSync()[0]!;
    expect(final).toBeCloseTo(ceRef(uT, oneHot(labels, 3)), 5);
    expect(mean).toBeCloseTo(ceRef(uT.map((r) => r.map((v) => v / 2)), oneHot(labels, 3)), 5);
    expect(final).not.toBeCloseTo(mean, 2);
    expect(membraneCe(m, hot, { on: 'final' }).dataSync()[0]).toBeCloseTo(final, 6);
    // a final membrane [N, C] with timesteps gives the same as the trace
    const u = tf.tensor2d(uT);
    expect(membraneCe(u, idx, { on: 'mean', timesteps: 2 }).dataSync()[0]).toBeCloseTo(mean, 6);
    expect(() => membraneCe(u, idx, { on: 'mean' })).toThrow(/needs options\.timesteps/);
    tf.dispose([m, idx, hot, u]);
  });

  it('label smoothing: targets (1 − ε)·y + ε/C', () => {
    const z = [[1, 2, 3], [0.3, -1, 2]];
    const eps = 0.1;
    const smooth = oneHot([2, 0], 3).map((r) => r.map((v) => (1 - eps) * v + eps / 3));
    const logits = tf.tensor2d(z);
    const labels = tf.tensor1d([2, 0], 'int32');
    const got = membraneCe(logits, labels, { on: 'final', labelSmoothing: eps }).dataSync()[0]!;
    expect(got).toBeCloseTo(ceRef(z, smooth), 5);
    expect(got).not.toBeCloseTo(ceRef(z, oneHot([2, 0], 3)), 3);
    expect(() => membraneCe(logits, labels, { on: 'final', labelSmoothing: 1 })).toThrow(/labelSmoothing/);
    tf.dispose([logits, labels]);
  });

  it('gradient w.r.t. the membrane trace matches finite differences (and is 0 before step T)', () => {
    const x0 = [0.3, -0.2, 0.1, 0.5, 0.4, -0.6, 1.2, -0.3, 0.8, 0.2, 0.9, -1.1];
    const labels = tf.tensor1d([1, 2], 'int32');
    for (const on of ['final', 'mean'] as const) {
      const g = expectGradMatchesFd((m) => membraneCe(m, labels, { on, labelSmoothing: 0.05 }), x0, [2, 2, 3]);
      expect(g.slice(0, 6).every((v) => v === 0)).toBe(true);
      expect(g.slice(6).some((v) => Math.abs(v) > 1e-3)).toBe(true);
    }
    labels.dispose();
  });

  it('rejects bad labels and shapes', () => {
    const z = tf.tensor2d([[1, 2]]);
    expect(() => membraneCe(z, tf.tensor1d([2], 'int32'), { on: 'final' })).toThrow(/labels\[0\] = 2 is not a class index in \[0, 1\]/);
    expect(() => membraneCe(z, tf.tensor1d([0, 1], 'int32'), { on: 'final' })).toThrow(/2 entries, the batch has 1/);
    expect(() => membraneCe(tf.tensor1d([1]), tf.tensor1d([0], 'int32'), { on: 'final' })).toThrow(/\[N, C\] or a trace/);
    expect(softmaxCe(z, tf.tensor2d([[0.5, 0.5]])).dataSync()[0]).toBeCloseTo(ceRef([[1, 2]], [[0.5, 0.5]]), 6);
  });
});
