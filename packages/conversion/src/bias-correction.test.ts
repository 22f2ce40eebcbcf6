import * as tf from '@tensorflow/tfjs-core';
import { createRng, initEngine } from '@spikelite/engine';
import { Network } from '@spikelite/models';
import { ModelSpec, parseWith, type ModelSpecInput } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { feedingBias } from './bias-correction.js';
import { convert, ConversionError } from './convert.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

const net = (layers: ModelSpecInput['layers'], input = { channels: 1, height: 1, width: 1 }): Network =>
  Network.create(parseWith(ModelSpec, { input, classes: 2, layers }, 'test'), { seed: 1 });

/** x (1 feature) → linear 2 (weights 1 and 2, no offset) → relu → linear 2 → relu → linear 2. */
function twoLayers(): Network {
  const n = net([
    { kind: 'flatten' },
    { kind: 'linear', units: 2, useBias: true }, { kind: 'activation', fn: 'relu' },
    { kind: 'linear', units: 2, useBias: true }, { kind: 'activation', fn: 'relu' },
    { kind: 'linear', units: 2, useBias: true },
  ]);
  n.params.assign('layers.1.kernel', new Float32Array([1, 2]));
  n.params.assign('layers.1.bias', new Float32Array([0, 0]));
  n.params.assign('layers.3.kernel', new Float32Array([1, 0.5, 1, -0.25]));
  n.params.assign('layers.3.bias', new Float32Array([0.1, 0.2]));
  return n;
}

// Threshold conversion, T = 3, membrane from 0, θ_c = 1.25 × the channel's max (no input sits on a threshold).
const recipe = { kind: 'threshold', timesteps: 3, scale: 1.25, initialPotential: 0, calibration: { statistic: 'max', granularity: 'channel' } } as const;

describe('bias correction', () => {
  it("adds each channel's mean ANN − SNN rate·θ error to the bias feeding it (layer 1 hand-worked)", async () => {
    const ann = twoLayers();
    const images = tf.tensor4d([0.2, 0.8], [2, 1, 1, 1]);
    const plain = await convert(ann, recipe, { calibrationImages: images });
    const r = await convert(ann, { ...recipe, biasCorrection: true }, { calibrationImages: images });
    // Channel 0 sees 0.2 and 0.8, θ0 = 1.25 × 0.8 = 1: 0.2 never reaches θ in 3 steps (0 spikes);
    // 0.8 spikes at steps 2 and 3 (u = 0.8, 1.6 → 0.6, 1.4 → 0.4). SNN mean 2/3·θ0/2 = 1/3,
    // ANN mean 0.5: +1/6. Channel 1 is channel 0 doubled (θ1 = 2): +1/3.
    expect(r.info.thresholds![0]).toEqual([Math.fround(0.8), Math.fround(1.6)]);
    expect(Array.from(r.network.params.get('layers.1.bias').dataSync())).toEqual([expect.closeTo(1 / 6, 6), expect.closeTo(1 / 3, 6)]);
    expect(r.info.biasCorrection![0]).toEqual({ layer: 'layers.2', bias: 'layers.1.bias', meanAbsError: expect.closeTo(0.25, 6) });
    // The ANN and the uncorrected conversion keep their biases.
    expect(Array.from(ann.params.get('layers.1.bias').dataSync())).toEqual([0, 0]);
    expect(Array.from(plain.network.params.get('layers.1.bias').dataSync())).toEqual([0, 0]);
    expect(plain.info.biasCorrection).toBeNull();

    // Layer 2 is corrected on the spikes of the corrected layer 1: its correction is the error
    // measured on `plain` once layer 1's bias is set as above.
    plain.network.params.assign('layers.1.bias', new Float32Array([1 / 6, 1 / 3]));
    const theta = plain.snn.neurons[1]!.mode === 'step' ? plain.snn.neurons[1]!.getParameter('threshold') : [];
    const spikes = [0, 0];
    tf.tidy(() => void plain.snn.forward(images, { onSpikes: (l, _t, s) => void (l === 1 && (s.arraySync() as number[][]).forEach((row) => row.forEach((v, c) => (spikes[c]! += v)))) }));
    const annMean = tf.tidy(() => {
      let h: number[] = [];
      ann.forwardAnn(images, { onActivation: (node, out) => void (node.index === 1 && (h = Array.from(tf.mean(out, 0).dataSync()))) });
      return h;
    });
    // The bias before correction, plus the mean over 2 images and 3 steps.
    const expected = annMean.map((a, c) => [0.1, 0.2][c]! + a - (spikes[c]! * theta[c]!) / (2 * 3));
    expect(r.info.biasCorrection![1]!.bias).toBe('layers.3.bias');
    Array.from(r.network.params.get('layers.3.bias').dataSync()).forEach((v, c) => expect(v).toBeCloseTo(expected[c]!, 5));
    for (const x of [r, plain]) x.dispose();
    images.dispose();
    ann.dispose();
  });

  it('brings a short-T conversion closer to the ANN on average', async () => {
    const rng = createRng(3);
    const ann = net(
      [
        { kind: 'conv2d', filters: 4, kernelSize: 3, padding: 'same', useBias: true }, { kind: 'activation', fn: 'relu' },
        { kind: 'conv2d', filters: 4, kernelSize: 3, padding: 'same', useBias: true }, { kind: 'activation', fn: 'relu' },
        { kind: 'globalAvgPool' }, { kind: 'linear', units: 2, useBias: true },
      ],
      { channels: 1, height: 6, width: 6 },
    );
    for (const p of ann.params.list()) ann.params.assign(p.name, Float32Array.from({ length: p.shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * 0.5));
    const images = tf.tensor4d(Float32Array.from({ length: 64 * 36 }, () => rng.next()), [64, 6, 6, 1]);
    const T = 4;
    const meanGap = async (biasCorrection: boolean): Promise<number> => {
      const r = await convert(ann, { kind: 'threshold', timesteps: T, scale: 0.8, biasCorrection }, { calibrationImages: images });
      // The mean output U(T)/T per class against the ANN's mean logit: the bias the correction removes.
      const gap = tf.tidy(() => tf.mean(tf.abs(tf.sub(tf.mean(tf.div(r.snn.forward(images, { release: true }).logits, T), 0), tf.mean(ann.forwardAnn(images), 0)))).dataSync()[0]!);
      r.dispose();
      return gap;
    };
    const before = await meanGap(false);
    const after = await meanGap(true);
    expect(after).toBeLessThan(before / 2);
    images.dispose();
    ann.dispose();
  });

  it("finds the bias through a max pool and into a residual block's conv branch; none after a concat", () => {
    const n = net(
      [
        { kind: 'conv2d', filters: 2, kernelSize: 3, padding: 'same', useBias: true }, { kind: 'maxPool', poolSize: 2 }, { kind: 'activation', fn: 'relu' },
        { kind: 'residual', body: [{ kind: 'conv2d', filters: 2, kernelSize: 3, padding: 'same', useBias: true }], shortcut: [] }, { kind: 'activation', fn: 'relu', name: 'r1' },
        { kind: 'conv2d', name: 'a', filters: 1, kernelSize: 1, useBias: true }, { kind: 'conv2d', name: 'b', filters: 1, kernelSize: 1, useBias: true, inputs: ['r1'] },
        { kind: 'concat', inputs: ['a', 'b'] }, { kind: 'activation', fn: 'relu' },
        { kind: 'flatten' }, { kind: 'linear', units: 2 },
      ],
      { channels: 1, height: 4, width: 4 },
    );
    expect(n.graph.activations.map((a) => feedingBias(n, a))).toEqual(['layers.0.bias', 'layers.3.body.0.bias', null]);
    n.dispose();
  });

  it("is refused with 'snn' calibration (biases are in ANN units only after weight normalisation)", async () => {
    const ann = twoLayers();
    const images = tf.tensor4d([0.2, 0.8], [2, 1, 1, 1]);
    await expect(convert(ann, { kind: 'diet', finetuneEpochs: 0, biasCorrection: true }, { calibrationImages: images, calibrationMode: 'snn', balanceSteps: 4 })).rejects.toThrow(ConversionError);
    await expect(convert(ann, { kind: 'diet', finetuneEpochs: 0, biasCorrection: true }, { calibrationImages: images, calibrationMode: 'snn', balanceSteps: 4 })).rejects.toThrow(/calibrationMode 'snn'/);
    images.dispose();
    ann.dispose();
  });
});
