import * as tf from '@tensorflow/tfjs-core';
import { createRng, initEngine } from '@spikelite/engine';
import { Network } from '@spikelite/models';
import { ModelSpec, parseWith } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { activationStats } from './stats.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

/** x (4 features) → linear 3 → silu → linear 2, weights of order 1. */
function net(): Network {
  const spec = parseWith(ModelSpec, {
    input: { channels: 4, height: 1, width: 1 },
    classes: 2,
    layers: [{ kind: 'flatten' }, { kind: 'linear', units: 3, useBias: true }, { kind: 'activation', fn: 'silu' }, { kind: 'linear', units: 2, useBias: true }],
  }, 'test');
  const n = Network.create(spec, { seed: 1 });
  const rng = createRng(2);
  n.params.assign('layers.1.kernel', Float32Array.from({ length: 12 }, () => rng.normal()));
  n.params.assign('layers.1.bias', Float32Array.from({ length: 3 }, () => rng.normal()));
  return n;
}

/** The hidden layer's pre-activations x·W + b, computed here without the network's forward pass. */
function preActivations(n: Network, images: tf.Tensor4D): Float32Array {
  return tf.tidy(() => {
    const x = tf.reshape(images, [images.shape[0], 4]) as tf.Tensor2D;
    return tf.add(tf.matMul(x, n.params.get('layers.1.kernel') as tf.Tensor2D), n.params.get('layers.1.bias')).dataSync() as Float32Array;
  });
}

function images(count: number, seed: number): tf.Tensor4D {
  const rng = createRng(seed);
  return tf.tensor4d(Float32Array.from({ length: count * 4 }, () => rng.normal()), [count, 1, 1, 4]);
}

describe('activationStats', () => {
  it('min, max, mean, std of the inputs; all of them as samples when they fit the reservoir', () => {
    const n = net();
    const x = images(40, 3);
    const want = preActivations(n, x);
    const [st] = activationStats(n, x, { batchSize: 16, samples: 1000 });
    const mean = want.reduce((a, b) => a + b, 0) / want.length;
    const std = Math.sqrt(want.reduce((a, b) => a + (b - mean) ** 2, 0) / want.length);
    expect(st!.count).toBe(120);
    expect(st!.min).toBeCloseTo(Math.min(...want), 5);
    expect(st!.max).toBeCloseTo(Math.max(...want), 5);
    expect(st!.mean).toBeCloseTo(mean, 5);
    expect(st!.std).toBeCloseTo(std, 4);
    expect(st!.samples).toHaveLength(120);
    Array.from(st!.samples).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    x.dispose();
    n.dispose();
  });

  it('keeps a seeded uniform subsample of the size asked for', () => {
    const n = net();
    const x = images(3000, 4); // 9000 inputs
    const all = Array.from(preActivations(n, x)).sort((a, b) => a - b);
    const [a] = activationStats(n, x, { samples: 1000, seed: 0 });
    const [b] = activationStats(n, x, { samples: 1000, seed: 0 });
    const [c] = activationStats(n, x, { samples: 1000, seed: 1 });
    expect(a!.samples).toHaveLength(1000);
    expect(Array.from(b!.samples)).toEqual(Array.from(a!.samples));
    expect(Array.from(c!.samples)).not.toEqual(Array.from(a!.samples));
    // every sample is one of the inputs
    const near = (v: number) => {
      let lo = 0;
      let hi = all.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (all[mid]! < v) lo = mid + 1;
        else hi = mid;
      }
      return Math.min(Math.abs(all[lo]! - v), lo > 0 ? Math.abs(all[lo - 1]! - v) : Infinity);
    };
    for (const v of a!.samples) expect(near(v)).toBeLessThan(1e-5);
    // uniform: the sample's quartiles sit at the population's (a batch-biased or strided pick
    // of the first/last images or one unit would not; tolerance ~4 standard errors of a quartile)
    const s = Array.from(a!.samples).sort((p, q) => p - q);
    for (const qn of [0.25, 0.5, 0.75]) {
      const rankInAll = all.findIndex((v) => v >= s[Math.floor(qn * s.length)]!) / all.length;
      expect(Math.abs(rankInAll - qn)).toBeLessThan(0.055);
    }
    const [none] = activationStats(n, x, { samples: 0 });
    expect(none!.samples).toHaveLength(0);
    expect(none!.count).toBe(9000);
    x.dispose();
    n.dispose();
  });
});
