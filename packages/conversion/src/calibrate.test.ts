import * as tf from '@tensorflow/tfjs-core';
import { createRng, initEngine } from '@spikelite/engine';
import { Network } from '@spikelite/models';
import { ModelSpec, parseWith } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { calibrateChannelThresholds, calibrateThresholds, CHANNEL_THRESHOLD_FLOOR } from './calibrate.js';
import { percentile } from './percentile.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

describe('percentile (DIET definition)', () => {
  it('equals the k-th smallest of a sort, k = 1 + round(0.01·q·(n−1))', () => {
    const rng = createRng(3);
    for (const n of [1, 2, 7, 100, 1001]) {
      const values = Float32Array.from({ length: n }, () => Math.round(rng.normal() * 5) + 0); // many ties (+0: no -0)
      const sorted = Array.from(values).sort((a, b) => a - b);
      for (const q of [0, 50, 99.7, 100]) {
        const k = 1 + Math.round(0.01 * q * (n - 1));
        expect(percentile(values, q)).toEqual(sorted[k - 1]);
      }
    }
  });

  it('rejects bad input', () => {
    expect(() => percentile([], 50)).toThrow(/empty/);
    expect(() => percentile([1], 101)).toThrow(/\[0, 100\]/);
  });
});

describe('calibrateThresholds', () => {
  // x (4 features) → linear 3 → relu → linear 2
  const spec = parseWith(ModelSpec, {
    input: { channels: 4, height: 1, width: 1 },
    classes: 2,
    layers: [{ kind: 'flatten' }, { kind: 'linear', units: 3 }, { kind: 'activation', fn: 'relu' }, { kind: 'linear', units: 2 }],
  }, 'test');

  it("'ann' mode: the max of each activation's input, hand-worked", () => {
    const net = Network.create(spec);
    // Unit j of the hidden layer sees (j+1)·x0.
    net.params.assign('layers.1.kernel', new Float32Array([1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    const images = tf.tensor4d([0.5, 0, 0, 0, 2, 0, 0, 0, -1, 0, 0, 0], [3, 1, 1, 4]);
    // Inputs to the relu: x0 ∈ {0.5, 2, −1} times {1, 2, 3}: the max is 6.
    expect(calibrateThresholds(net, images, { mode: 'ann', statistic: 'max' })).toEqual([6]);
    net.dispose();
  });

  it('per channel: the statistic of each channel; a never-positive channel gets the layer\'s; a floor at a fraction of it (hand-worked)', () => {
    const net = Network.create(spec);
    // Units see (1, 2, −1)·x0 and 0.001·x1: channel 2 is never positive for x0 ≥ 0.
    net.params.assign('layers.1.kernel', new Float32Array([1, 2, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    const images = tf.tensor4d([0.5, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0], [3, 1, 1, 4]);
    // Maxima: 2, 4, and none positive → the layer's max, 4.
    expect(Array.from(calibrateChannelThresholds(net, images, { statistic: 'max' })[0]!)).toEqual([2, 4, 4]);
    // A channel barely positive is floored at CHANNEL_THRESHOLD_FLOOR × the layer's statistic.
    net.params.assign('layers.1.kernel', new Float32Array([1, 2, 0.001, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    const th = calibrateChannelThresholds(net, images, { statistic: 'max' })[0]!;
    expect(th[2]).toBeCloseTo(CHANNEL_THRESHOLD_FLOOR * 4, 6);
    expect(() => calibrateChannelThresholds(net, images, { mode: 'snn' })).toThrow(/per-channel thresholds are calibrated on the ANN/);
    expect(() => calibrateThresholds(net, images, { granularity: 'channel' })).toThrow(/calibrateChannelThresholds/);
    images.dispose();
    net.dispose();
  });

  it("'snn' mode: with direct input the first layer's current is the same every step", () => {
    const net = Network.create(spec);
    net.params.assign('layers.1.kernel', new Float32Array([1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    const images = tf.tensor4d([0.5, 0, 0, 0, 2, 0, 0, 0], [2, 1, 1, 4]);
    const th = calibrateThresholds(net, images, { mode: 'snn', statistic: 'max', balanceSteps: 4 });
    expect(th).toEqual([6]);
    const before = tf.memory().numTensors;
    calibrateThresholds(net, images, { mode: 'snn', statistic: 'percentile', percentile: 50, balanceSteps: 4 });
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
  });
});
