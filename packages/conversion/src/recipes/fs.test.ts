import * as tf from '@tensorflow/tfjs-core';
import { createRng, initEngine } from '@spikelite/engine';
import { Network } from '@spikelite/models';
import { ModelSpec, parseWith } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { convert } from '../convert.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

/** x (4 features) → linear 8 → act → linear 2, weights of order 1. */
function net(fn: 'silu' | 'tanh'): Network {
  const spec = parseWith(ModelSpec, {
    input: { channels: 4, height: 1, width: 1 },
    classes: 2,
    layers: [{ kind: 'flatten' }, { kind: 'linear', units: 8, useBias: true }, { kind: 'activation', fn }, { kind: 'linear', units: 2, useBias: true }],
  }, 'test');
  const n = Network.create(spec, { seed: 1 });
  const rng = createRng(2);
  n.params.assign('layers.1.kernel', Float32Array.from({ length: 32 }, () => rng.normal() * 0.5));
  n.params.assign('layers.1.bias', Float32Array.from({ length: 8 }, () => rng.normal()));
  n.params.assign('layers.3.kernel', Float32Array.from({ length: 16 }, () => rng.normal()));
  return n;
}

/** Half the images are all zero (a constant "background": one input value per hidden unit). */
function images(count: number, seed: number): tf.Tensor4D {
  const rng = createRng(seed);
  return tf.tensor4d(Float32Array.from({ length: count * 4 }, (_, i) => (i < count * 2 ? 0 : rng.normal())), [count, 1, 1, 4]);
}

const rmsToAnn = (n: Network, snn: (x: tf.Tensor4D) => tf.Tensor, x: tf.Tensor4D): number =>
  tf.tidy(() => Math.sqrt(tf.mean(tf.square(tf.sub(snn(x), n.forwardAnn(x)))).dataSync()[0]!));

describe("fs recipe, fit 'samples'", () => {
  it('fits SiLU on the observed inputs from the published set: the SNN tracks the ANN closer', async () => {
    const n = net('silu');
    const x = images(200, 5);
    const published = await convert(n, { kind: 'fs', fit: 'missing' }, { calibrationImages: x });
    const fitted = await convert(n, { kind: 'fs', fit: 'samples' }, { calibrationImages: x, fsFit: { iterations: 300 } });
    expect(fitted.info.layers[0]!.note).toMatch(/^fitted on 1600 input samples from the published set, mse .*, .* spikes\/input$/);
    expect(fitted.info.steps).toBe(16);
    const before = rmsToAnn(n, (b) => published.snn.forward(b).logits, x);
    const after = rmsToAnn(n, (b) => fitted.snn.forward(b).logits, x);
    const bg = tf.slice(x, [0, 0, 0, 0], [100, -1, -1, -1]); // the all-zero images: eight point masses
    const bgBefore = rmsToAnn(n, (b) => published.snn.forward(b).logits, bg);
    const bgAfter = rmsToAnn(n, (b) => fitted.snn.forward(b).logits, bg);
    expect(after).toBeLessThan(before);
    expect(bgAfter).toBeLessThan(0.5 * bgBefore);
    bg.dispose();
    published.dispose();
    fitted.dispose();
    x.dispose();
    n.dispose();
  });

  it('an activation without a stored set at this K is fitted from random starts; refused when fitting is off', async () => {
    const n = net('tanh');
    const x = images(50, 6);
    await expect(convert(n, { kind: 'fs', fit: 'samples' }, { calibrationImages: x, fsFit: false })).rejects.toThrow(
      /layers\.2 \(tanh\): coefficients fitted on this layer's observed inputs from the reference set; give recipe.coefficients or allow fitting/,
    );
    const warm = await convert(n, { kind: 'fs', fit: 'samples' }, { calibrationImages: x, fsFit: { restarts: 1, iterations: 100 } });
    expect(warm.info.layers[0]!.note).toMatch(/^fitted on 400 input samples from the reference set, mse/);
    warm.dispose();
    const r = await convert(n, { kind: 'fs', K: 6, fit: 'samples' }, { calibrationImages: x, fsFit: { restarts: 1, iterations: 100 } });
    expect(r.info.layers[0]!.note).toMatch(/^fitted on 400 input samples, mse/);
    r.dispose();
    x.dispose();
    n.dispose();
  });
});
