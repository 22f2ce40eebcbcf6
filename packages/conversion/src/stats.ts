/** ANN statistics of every activation's input (pre-activation) on sample images: one pass. */
import * as tf from '@tensorflow/tfjs-core';
import type { Network } from '@spikelite/models';

export interface ActivationStats {
  min: number;
  max: number;
  mean: number;
  std: number;
  count: number;
}

export function activationStats(net: Network, images: tf.Tensor4D, batchSize = 128): ActivationStats[] {
  const L = net.graph.activations.length;
  const acc = Array.from({ length: L }, () => ({ min: Infinity, max: -Infinity, sum: 0, sq: 0, n: 0 }));
  const n = images.shape[0];
  for (let i = 0; i < n; i += batchSize) {
    tf.tidy(() => {
      const b = tf.slice(images, [i, 0, 0, 0], [Math.min(batchSize, n - i), -1, -1, -1]);
      net.forwardAnn(b, {
        onActivation: (node, _out, input) => {
          const a = acc[node.index]!;
          const v = input.dataSync();
          for (let j = 0; j < v.length; j++) {
            const x = v[j]!;
            if (x < a.min) a.min = x;
            if (x > a.max) a.max = x;
            a.sum += x;
            a.sq += x * x;
          }
          a.n += v.length;
        },
      });
    });
  }
  return acc.map((a) => {
    const mean = a.n > 0 ? a.sum / a.n : 0;
    return { min: a.min, max: a.max, mean, std: Math.sqrt(Math.max(0, a.n > 0 ? a.sq / a.n - mean * mean : 0)), count: a.n };
  });
}
