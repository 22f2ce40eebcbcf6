/**
 * The event-driven runtime (@spikelite/models compileSnn) on the shipped CNN (fmnist-cnn-bn.onnx)
 * converted by `hybrid` (single-spike LIF, hybrid input), `threshold` (IF, soft and hard reset)
 * and `diet` (LIF, no fine-tune): against SnnModel.forward on the cpu backend, identical spike
 * counts per layer and step and logits within 1e-5 of their range, on real Fashion-MNIST images,
 * with the kernels chosen by density, forced dense and forced event-driven.
 */
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { convert } from '@spikelite/conversion';
import { loadDataset, takeFirst } from '@spikelite/data';
import { initEngine } from '@spikelite/engine';
import { compileSnn, type RuntimeMode } from '@spikelite/models';
import type { ConversionRecipeInput } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { importOnnx } from './import.js';
import { networkFromImport } from './parity.js';

const repo = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));
const N = 24;

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

const RECIPES: Array<[string, ConversionRecipeInput]> = [
  ['hybrid (single-spike LIF, hybrid input, T 5)', { kind: 'hybrid', timesteps: 5, finetuneEpochs: 0, calibration: { images: 64 } }],
  ['threshold (defaults: LIF λ 1, per-channel θ, u(0) = θ/2, soft reset, T 4)', { kind: 'threshold', timesteps: 4, calibration: { images: 64 } }],
  ['threshold (IF, θ per layer, u(0) = 0, hard reset, T 4)', { kind: 'threshold', timesteps: 4, reset: 'hard', initialPotential: 0, calibration: { images: 64, granularity: 'layer' } }],
  ['diet (LIF, direct input, no fine-tune, T 5)', { kind: 'diet', timesteps: 5, finetuneEpochs: 0, calibration: { images: 64 } }],
];

describe('compileSnn on the shipped CNN: equal to SnnModel.forward', () => {
  for (const [name, recipe] of RECIPES) {
    it(name, async () => {
      const data = await loadDataset(repo('apps/cli/data/fashion-mnist-mini'));
      const calib = takeFirst(data.train, 64);
      const test = takeFirst(data.test, N);
      const calibration = tf.tensor4d(calib.images, [64, 28, 28, 1]);
      const net = networkFromImport(importOnnx(repo('tooling/fixtures/onnx/fmnist-cnn-bn.onnx')));
      const c = await convert(net, recipe as never, { calibrationImages: calibration });
      const x = tf.tensor4d(test.images, [N, 28, 28, 1]);
      const ref = c.snn.forward(x, { release: true });
      const logits = ref.logits.dataSync() as Float32Array;
      const counts = Array.from(ref.spikeCounts.dataSync());
      const rt = compileSnn(c.snn);
      expect(rt.simd).toBe(true);
      expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(N * 100); // an active network
      const range = Math.max(...Array.from(logits)) - Math.min(...Array.from(logits));
      for (const mode of ['auto', 'dense', 'sparse'] as RuntimeMode[]) {
        const r = rt.run(test.images, N, { mode });
        expect(Array.from(r.spikeCounts), mode).toEqual(counts);
        const err = Math.max(...Array.from(r.logits, (v, i) => Math.abs(v - logits[i]!)));
        expect(err / range, mode).toBeLessThan(1e-5);
      }
      tf.dispose([calibration, x, ref.logits, ref.spikeCounts]);
      c.dispose();
      net.dispose();
    }, 120_000);
  }
});
