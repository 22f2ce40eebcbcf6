import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { SYSTEM_DATA_DIR } from '@spikelite/data';
import { createEncoder } from '@spikelite/encoding';
import { initEngine } from '@spikelite/engine';
import { Network, SnnModel } from '@spikelite/models';
import { evaluate, snnTarget } from '@spikelite/training';
import { describe, expect, it } from 'vitest';
import { openDataset, resolveModel, type Log } from '../setup.js';
import type { MethodContext, TrainFlags } from './context.js';
import { generalMethod, generalNeuron, trainGeneral } from './general.js';
import { TRAIN_METHODS } from './index.js';

const DIR = join(SYSTEM_DATA_DIR, 'fashion-mnist');
const present = ['train-images-idx3-ubyte.gz', 't10k-images-idx3-ubyte.gz'].every((f) => existsSync(join(DIR, f)));
if (!present) console.warn(`SKIPPED general method tests: Fashion-MNIST not found in ${DIR} (apt install dataset-fashion-mnist)`);

async function context(flags: Partial<TrainFlags>): Promise<MethodContext & { lines: string[] }> {
  const engine = await initEngine({ backend: 'wasm' });
  const data = await openDataset('fashion-mnist', { limitTrain: 300, limitTest: 200 });
  const spec = await resolveModel('fmnist-small', data);
  const full: TrainFlags = { timesteps: 1, epochs: 3, annEpochs: 2, batch: 32, seed: 0, lr: undefined, annLr: 1e-3, calib: 64, calibSteps: 10, scale: undefined, ...flags };
  const lines: string[] = [];
  const log: Log = { info: (m) => lines.push(m), progress: () => {}, done: () => {} };
  return { flags: full, data, spec, net: Network.create(spec, { seed: full.seed }), engine, dirs: {}, log, lines };
}

describe('--method general on real Fashion-MNIST (300 train / 200 test)', () => {
  it('is registered', () => {
    expect(TRAIN_METHODS['general']).toBe(generalMethod);
  });

  it.skipIf(!present)('runs at T = 1 with sin/cos general neurons and learns well above chance', async () => {
    const ctx = await context({});
    // The same network before training, as the method will see it.
    const before = new SnnModel(ctx.net, { timesteps: 1, neuron: generalNeuron(), encoder: createEncoder({ kind: 'direct' }, { timesteps: 1 }) });
    const initial = evaluate(snnTarget(before, { kind: 'ce', on: 'final', labelSmoothing: 0 }), ctx.data.test).accuracy;
    before.dispose();

    const { result, snn } = await trainGeneral(ctx);
    expect(snn.timesteps).toBe(1);
    expect(result.timesteps).toBe(1);
    expect(result.input).toEqual({ analogSteps: 1, inputSpikesPerElement: 0 });
    expect(snn.neurons.map((l) => (l as { spec?: { kind: string; projection: string } }).spec)).toEqual(
      snn.neurons.map(() => expect.objectContaining({ kind: 'general', projection: 'sincos' })),
    );
    // One step: the spike counts have one column, and no neuron can spike more than once.
    const x = tf.tensor4d(ctx.data.test.images.slice(0, 8 * 784), [8, 28, 28, 1]);
    const counts = tf.tidy(() => snn.forward(x).spikeCounts.arraySync() as number[][]);
    expect(counts.map((c) => c.length)).toEqual([1, 1, 1]);
    expect(counts.flat().every((c) => c > 0)).toBe(true);
    x.dispose();
    expect(result.result.spikesPerNeuron!).toBeGreaterThan(0);
    expect(result.result.spikesPerNeuron!).toBeLessThanOrEqual(1);

    expect(result.annAccuracy).toBeNull(); // default: from scratch, no ANN stage
    expect(result.result.accuracy).toBeGreaterThan(0.35); // chance: 0.1
    expect(result.result.accuracy).toBeGreaterThan(initial + 0.2);
    snn.dispose();
    ctx.net.dispose();
  });
});
