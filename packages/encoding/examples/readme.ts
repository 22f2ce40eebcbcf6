import * as tf from '@tensorflow/tfjs-core';
import { createRng, initEngine } from '@spikelite/engine';
import { createEncoder } from '@spikelite/encoding';

export async function readmeExample() {
  await initEngine({ backend: 'cpu' });
  const images = tf.tensor4d([1, 0.75, 0.5, 0.25, 0], [1, 1, 5, 1]); // raw, in [0, 1]

  const hybrid = createEncoder({ kind: 'hybrid' }, { timesteps: 5 });
  const all = hybrid.encodeAll(images); // [T, N, H, W, C] = [5, 1, 1, 5, 1]
  const analog = [hybrid.isAnalog(0), hybrid.isAnalog(1)]; // [true, false]
  const steps = tf.tidy(() => tf.unstack(all).map((step) => Array.from(step.dataSync()).join(' ')));
  // [ '1 0.75 0.5 0.25 0', '1 0 0 0 0', '0 1 0 0 0', '0 0 1 0 0', '0 0 0 1 0' ]

  const rng = createRng(42);
  const rate = createEncoder({ kind: 'rate', distribution: 'bernoulli', gain: 1 }, { timesteps: 5, rng });
  const counts = [0, 0, 0, 0, 0]; // spikes per pixel over 2 batches × 5 steps
  for (let batch = 0; batch < 2; batch++) {
    rate.beginBatch(); // draws one uint32 from rng: the batch seed
    for (let t = 0; t < rate.timesteps; t++) {
      const spikes = rate.encode(images, t); // [1, 1, 5, 1] of 0/1; the caller disposes it
      spikes.dataSync().forEach((s, i) => (counts[i]! += s));
      spikes.dispose();
    }
  }
  // counts: [10, 9, 4, 1, 0] (P = 1 fires every step, P = 0 never; the rest vary with the seed)
  tf.dispose([images, all]);
  return { analog, steps, counts };
}
