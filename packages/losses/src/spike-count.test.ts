import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '@spikelite/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { spikeCountLoss } from './spike-count.js';
import { expectGradMatchesFd, oneHot } from '../test/util.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

describe('spike-count loss', () => {
  it('is the MSE between counts over T and targetTrue/targetFalse (hand-computed)', () => {
    // T = 3, N = 2, C = 2. counts: n0 = [2, 1], n1 = [0, 3]; labels [0, 1]; targets 3 / 0.5
    const s = tf.tensor3d([
      [[1, 0], [0, 1]],
      [[1, 1], [0, 1]],
      [[0, 0], [0, 1]],
    ]);
    const opts = { targetTrue: 3, targetFalse: 0.5 };
    // ((2−3)² + (1−0.5)² + (0−0.5)² + (3−3)²)/4 = 1.5/4
    expect(spikeCountLoss(s, tf.tensor1d([0, 1], 'int32'), opts).dataSync()[0]).toBeCloseTo(0.375, 6);
    expect(spikeCountLoss(s, tf.tensor2d(oneHot([0, 1], 2)), opts).dataSync()[0]).toBeCloseTo(0.375, 6);
    // other labels: ((2−0.5)² + (1−3)² + (0−3)² + (3−0.5)²)/4
    expect(spikeCountLoss(s, tf.tensor1d([1, 0], 'int32'), opts).dataSync()[0]).toBeCloseTo((2.25 + 4 + 9 + 6.25) / 4, 5);
    s.dispose();
  });

  it('gradient w.r.t. the spikes matches finite differences and 2(count − target)/(N·C)', () => {
    const x0 = [1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 1];
    const labels = tf.tensor1d([0, 1], 'int32');
    const g = expectGradMatchesFd((s) => spikeCountLoss(s, labels, { targetTrue: 3, targetFalse: 0.5 }), x0, [3, 2, 2], { eps: 1e-2 });
    // neuron (n0, c0): count 2, target 3 → 2·(−1)/4 = −0.5 at every step
    expect([g[0], g[4], g[8]].map((v) => v!.toFixed(4))).toEqual(['-0.5000', '-0.5000', '-0.5000']);
    labels.dispose();
  });

  it('rejects a non-trace input', () => {
    expect(() => spikeCountLoss(tf.zeros([2, 2]), tf.tensor1d([0, 1], 'int32'), { targetTrue: 1, targetFalse: 0 })).toThrow(/\[T, N, C\]/);
  });
});
