import { describe, expect, it } from 'vitest';
import { CIFAR10_STATS, channelStats, defaultStats, normalize, normalizeDataset, signedUnitStats } from './normalize.js';
import type { Dataset, ImageSet } from './types.js';

/** 2 images of 1x2 pixels, 2 channels. Channel 0: 0, 0.5, 1, 0.5; channel 1: all 0.25. */
const set: ImageSet = {
  images: Float32Array.from([0, 0.25, 0.5, 0.25, 1, 0.25, 0.5, 0.25]),
  labels: Int32Array.from([0, 1]),
  count: 2,
  height: 1,
  width: 2,
  channels: 2,
  classes: 2,
};

describe('normalisation', () => {
  it('computes per-channel mean and population std', () => {
    const s = channelStats(set);
    expect(s.mean[0]).toBeCloseTo(0.5, 12);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(0.125), 7);
    expect(s.mean[1]).toBeCloseTo(0.25, 12);
    expect(s.std[1]).toBeCloseTo(0, 7);
  });

  it('applies (x - mean) / std per channel without touching the input', () => {
    const out = normalize(set, { mean: [0.5, 0.25], std: [0.5, 0.125] });
    expect(Array.from(out.images)).toEqual([-1, 0, 0, 0, 1, 0, 0, 0]);
    expect(set.images[0]).toBe(0);
    expect(out.labels).toBe(set.labels);
  });

  it('maps [0, 1] to [-1, 1] with signedUnitStats', () => {
    const out = normalize(set, signedUnitStats(2));
    expect(out.images[0]).toBe(-1);
    expect(out.images[4]).toBe(1);
  });

  it('normalises a dataset with stats from its train set unless stats are given', () => {
    const ds: Dataset = { name: 't', format: 'idx', dir: '/x', train: set, test: { ...set, images: set.images.map((v) => v + 0.5) } };
    const given = { mean: [0.5, 0.25], std: [0.5, 0.125] };
    const { dataset, stats } = normalizeDataset(ds, given);
    expect(stats).toBe(given);
    expect(dataset.test.images[0]).toBe(0); // (0.5 - 0.5) / 0.5
    expect(dataset.test.images[1]).toBe(4); // (0.75 - 0.25) / 0.125
    // Computed: channel 1 has zero spread in train, so its std is 0 and normalising fails loudly.
    expect(() => normalizeDataset(ds)).toThrow('normalisation std[1] must be positive, got 0');
  });

  it('rejects stats of the wrong length', () => {
    expect(() => normalize(set, CIFAR10_STATS)).toThrow('normalisation stats have 3 means and 3 stds, the images have 2 channels');
  });

  it('documents the defaults: CIFAR constants, raw [0, 1] otherwise', () => {
    expect(defaultStats('cifar10')?.mean).toEqual([0.4914, 0.4822, 0.4465]);
    expect(defaultStats('CIFAR-100')?.std).toEqual([0.2675, 0.2565, 0.2761]);
    expect(defaultStats('fashion-mnist')).toBeNull();
  });
});
