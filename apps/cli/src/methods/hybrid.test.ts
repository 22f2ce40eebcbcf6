import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { SYSTEM_DATA_DIR, type ImageSet } from '@spikelite/data';
import { initEngine } from '@spikelite/engine';
import { Network } from '@spikelite/models';
import { snnTarget } from '@spikelite/training';
import { describe, expect, it } from 'vitest';
import { openDataset, resolveModel, type Log } from '../setup.js';
import type { MethodContext, TrainFlags } from './context.js';
import { hybridNeuron } from '@spikelite/conversion';
import { hybridMethod, trainHybrid } from './hybrid.js';
import { TRAIN_METHODS } from './index.js';

const DIR = join(SYSTEM_DATA_DIR, 'fashion-mnist');
const present = ['train-images-idx3-ubyte.gz', 't10k-images-idx3-ubyte.gz'].every((f) => existsSync(join(DIR, f)));
if (!present) console.warn(`SKIPPED hybrid method tests: Fashion-MNIST not found in ${DIR} (apt install dataset-fashion-mnist)`);

/** `spikelite train --method hybrid --limit-train 300 --limit-test 200` as a context, small stages. */
async function context(flags: Partial<TrainFlags>): Promise<MethodContext & { lines: string[] }> {
  const engine = await initEngine({ backend: 'wasm' });
  const data = await openDataset('fashion-mnist', { limitTrain: 300, limitTest: 200 });
  const spec = await resolveModel('fmnist-small', data);
  const full: TrainFlags = { timesteps: 5, epochs: 1, annEpochs: 2, batch: 32, seed: 0, lr: undefined, annLr: 1e-3, calib: 64, calibSteps: 10, scale: undefined, ...flags };
  const lines: string[] = [];
  const log: Log = { info: (m) => lines.push(m), progress: () => {}, done: () => {} };
  return { flags: full, data, spec, net: Network.create(spec, { seed: full.seed }), engine, dirs: {}, log, lines };
}

function batchOf(set: ImageSet, from: number, n: number): tf.Tensor4D {
  const size = set.height * set.width * set.channels;
  return tf.tensor4d(set.images.slice(from * size, (from + n) * size), [n, set.height, set.width, set.channels]);
}

describe('--method hybrid on real Fashion-MNIST (300 train / 200 test)', () => {
  it('is registered', () => {
    expect(TRAIN_METHODS['hybrid']).toBe(hybridMethod);
  });

  it('hidden neurons: single-spike LIF, masked linear surrogate by default, the neuron\'s STDB variant on request', () => {
    expect(hybridNeuron()).toMatchObject({ kind: 'singleSpikeLif', leak: 1, trainLeak: false, trainThreshold: true, afterSpike: 'reset', surrogate: { kind: 'linear', gamma: 0.3 } });
    expect(hybridNeuron('stdb')).toMatchObject({ kind: 'singleSpikeLif', surrogate: { kind: 'stdb', alpha: 0.3, beta: 0.01 } });
  });

  it.skipIf(!present)('trains from the ANN; no hidden neuron fires twice on any test image; input spikes are measured', async () => {
    const ctx = await context({});
    const { result, snn, outputThreshold } = await trainHybrid(ctx);
    const { data } = ctx;

    // Every image, every hidden neuron: the spike count over the T steps, through onSpikes.
    let maxPerNeuron = 0;
    let total = 0;
    const neurons = snn.neuronsPerLayer();
    for (let i = 0; i < data.test.count; i += 100) {
      const n = Math.min(100, data.test.count - i);
      const x = batchOf(data.test, i, n);
      const counts: Array<tf.Tensor | null> = neurons.map(() => null);
      tf.tidy(() => {
        snn.forward(x, {
          onSpikes: (layer, _t, spikes) => {
            const prev = counts[layer] ?? null;
            counts[layer] = tf.keep(prev === null ? tf.clone(spikes) : tf.add(prev, spikes));
            prev?.dispose();
          },
        });
      });
      for (const c of counts) {
        if (c === null) throw new Error('a layer reported no spikes tensor');
        expect(c.shape[0]).toBe(n);
        maxPerNeuron = Math.max(maxPerNeuron, tf.tidy(() => tf.max(c).dataSync()[0]!));
        total += tf.tidy(() => tf.sum(c).dataSync()[0]!);
      }
      tf.dispose([x, ...counts.filter((c): c is tf.Tensor => c !== null)]);
    }
    expect(maxPerNeuron).toBe(1); // some neuron fired, none twice
    // The method's own whole-test-set check agrees with this independent count.
    expect(ctx.lines.some((l) => l.includes(`over all ${data.test.count} test images`) && l.endsWith('(none fired twice)'))).toBe(true);
    const spn = total / (neurons.reduce((a, b) => a + b, 0) * data.test.count);
    // The report's figure is the same count, through the trainer's evaluate.
    expect(result.result.spikesPerNeuron).toBeCloseTo(spn, 6);
    expect(spn).toBeGreaterThan(0);
    expect(spn).toBeLessThanOrEqual(1);
    for (const l of result.result.perLayer!) expect(l.spikesPerNeuron).toBeLessThanOrEqual(1);

    // Energy input: analog once, then the temporal spikes: every pixel > 0 fires exactly once (T = 5).
    let lit = 0;
    for (const v of data.test.images) if (v > 0) lit++;
    expect(result.input.analogSteps).toBe(1);
    expect(result.input.inputSpikesPerElement).toBeCloseTo(lit / data.test.images.length, 6);
    expect(result.input.inputSpikesPerElement).toBeGreaterThan(0.2);

    expect(result.timesteps).toBe(5);
    expect(result.annAccuracy).not.toBeNull();
    expect(outputThreshold).toBeGreaterThan(0);
    expect(result.result.accuracy).toBeGreaterThan(0.3); // chance: 0.1
    expect(ctx.lines.some((l) => l.startsWith('converted SNN (T=5'))).toBe(true);
    // The output layer was put on the logit scale: its kernel × θ of the last hidden layer.
    expect(ctx.lines.some((l) => /^output layer weights × \d/.test(l))).toBe(true);
    // Single-spike neurons everywhere, hybrid input.
    expect(snn.neurons.every((l) => l.mode === 'step' && (l as { spec?: { kind: string } }).spec?.kind === 'singleSpikeLif')).toBe(true);
    expect([0, 1, 4].map((t) => snn.encoder.isAnalog(t))).toEqual([true, false, false]);
    // The spike-time loss cannot run without θ_out.
    expect(() => snnTarget(snn, { kind: 'spikeTimeCe', membraneWeight: 1, timeWeight: 1, silentTime: 'Tplus1' })).toThrow(/output threshold/);
    snn.dispose();
    ctx.net.dispose();
  });

  it.skipIf(!present)('--init scratch skips the ANN stage and still learns', async () => {
    const ctx = await context({ init: 'scratch', epochs: 2, lr: 1e-3 });
    const { result, snn } = await trainHybrid(ctx);
    expect(result.annAccuracy).toBeNull();
    expect(ctx.lines.some((l) => l.startsWith('ANN test accuracy'))).toBe(false);
    expect(result.result.accuracy).toBeGreaterThan(0.3);
    expect(result.result.spikesPerNeuron!).toBeLessThanOrEqual(1);
    snn.dispose();
    ctx.net.dispose();
  });
});
