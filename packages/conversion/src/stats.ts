/** ANN statistics of every activation's input (pre-activation) on sample images: one pass. */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@spikelite/engine';
import type { Network } from '@spikelite/models';

/** Size of the per-layer input subsample kept by {@link activationStats} (FS `fit: 'samples'`). */
export const ACTIVATION_SAMPLES = 4096;

export interface ActivationStats {
  min: number;
  max: number;
  mean: number;
  std: number;
  count: number;
  /**
   * A uniform random subsample (reservoir sampling, seeded) of the layer's input values, at most
   * `samples` of them: the input distribution itself, for fitting FS coefficients to it.
   */
  samples: Float32Array;
}

export interface ActivationStatsOptions {
  batchSize?: number;
  /** Reservoir size per layer. Default {@link ACTIVATION_SAMPLES}; 0 keeps none. */
  samples?: number;
  /** Seed of the reservoir's draws. Default 0. */
  seed?: number;
}

export function activationStats(net: Network, images: tf.Tensor4D, options: number | ActivationStatsOptions = {}): ActivationStats[] {
  const o = typeof options === 'number' ? { batchSize: options } : options;
  const batchSize = o.batchSize ?? 128;
  const S = o.samples ?? ACTIVATION_SAMPLES;
  if (!Number.isInteger(S) || S < 0) throw new Error(`activationStats: samples must be an integer ≥ 0, got ${S}`);
  const rng = createRng(o.seed ?? 0);
  const L = net.graph.activations.length;
  const acc = Array.from({ length: L }, () => ({ min: Infinity, max: -Infinity, sum: 0, sq: 0, n: 0, res: new Float32Array(S) }));
  const n = images.shape[0];
  for (let i = 0; i < n; i += batchSize) {
    tf.tidy(() => {
      const b = tf.slice(images, [i, 0, 0, 0], [Math.min(batchSize, n - i), -1, -1, -1]);
      // release: intermediates freed as soon as read (a 224×224 ResNet's whole pass would not fit).
      net.forwardAnn(b, {
        release: true,
        onActivation: (node, _out, input) => {
          const a = acc[node.index]!;
          const v = input.dataSync();
          for (let j = 0; j < v.length; j++) {
            const x = v[j]!;
            if (x < a.min) a.min = x;
            if (x > a.max) a.max = x;
            a.sum += x;
            a.sq += x * x;
            // Algorithm R: element number m (0-based) replaces a random slot with probability S/(m+1).
            const m = a.n + j;
            if (m < S) a.res[m] = x;
            else if (S > 0) {
              const k = Math.floor(rng.next() * (m + 1));
              if (k < S) a.res[k] = x;
            }
          }
          a.n += v.length;
        },
      });
    });
  }
  return acc.map((a) => {
    const mean = a.n > 0 ? a.sum / a.n : 0;
    return {
      min: a.min,
      max: a.max,
      mean,
      std: Math.sqrt(Math.max(0, a.n > 0 ? a.sq / a.n - mean * mean : 0)),
      count: a.n,
      samples: a.n < S ? a.res.slice(0, a.n) : a.res,
    };
  });
}
