import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { ImageSet } from '@spikelite/data';
import { createEncoder } from '@spikelite/encoding';
import { createRng, initEngine } from '@spikelite/engine';
import { Network, SnnModel } from '@spikelite/models';
import { ModelSpec, NeuronSpec, TrainConfig, parseWith } from '@spikelite/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from './checkpoint.js';
import { annTarget, snnTarget, type TrainTarget } from './target.js';
import { train } from './trainer.js';

/** A learnable toy task: the class is which quadrant of an 8x8 image is brightest. */
function toySet(count: number, seed: number): ImageSet {
  const rng = createRng(seed);
  const images = new Float32Array(count * 64);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const c = rng.int(4);
    labels[n] = c;
    for (let i = 0; i < 8; i++)
      for (let j = 0; j < 8; j++) {
        const q = (i < 4 ? 0 : 2) + (j < 4 ? 0 : 1);
        images[n * 64 + i * 8 + j] = rng.next() * 0.3 + (q === c ? 0.7 : 0);
      }
  }
  return { images, labels, count, height: 8, width: 8, channels: 1, classes: 4 };
}

const spec = parseWith(ModelSpec, {
  input: { channels: 1, height: 8, width: 8 },
  classes: 4,
  layers: [
    { kind: 'conv2d', filters: 4, kernelSize: 3 },
    { kind: 'activation', fn: 'relu' },
    { kind: 'avgPool', poolSize: 2 },
    { kind: 'dropout', rate: 0.2 },
    { kind: 'flatten' },
    { kind: 'linear', units: 4 },
  ],
}, 'toy');
const trainSet = toySet(96, 1);
const testSet = toySet(64, 2);
const neuron = parseWith(NeuronSpec, { kind: 'lif', leak: 0.9, threshold: 0.5 }, 'neuron');

function snnFor(net: Network): TrainTarget {
  const snn = new SnnModel(net, { timesteps: 3, neuron, encoder: createEncoder({ kind: 'rate' }, { timesteps: 3, rng: createRng(0) }) });
  return snnTarget(snn, { kind: 'ce', on: 'mean', labelSmoothing: 0 });
}

function weights(target: TrainTarget): Map<string, Float32Array> {
  return new Map([...target.state()].map(([k, v]) => [k, v.dataSync() as Float32Array]));
}

let dir: string;
beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
  dir = await mkdtemp(join(tmpdir(), 'spikelite-train-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('train', () => {
  it('an ANN learns the toy task', async () => {
    const net = Network.create(spec, { seed: 3, init: 'kaiming' });
    const config = parseWith(TrainConfig, { method: 'ann', timesteps: 1, epochs: 4, batchSize: 16, optimizer: { kind: 'adam', lr: 0.01 } }, 'cfg');
    const r = await train({ target: annTarget(net), train: trainSet, test: testSet, config, describe: { spec, method: 'ann' } });
    expect(r.final.accuracy).toBeGreaterThan(0.9);
    net.dispose();
  });

  it('a resumed SNN run (rate input, dropout, Adam) ends with the same weights as an uninterrupted one', async () => {
    const config = parseWith(TrainConfig, { method: 'diet', timesteps: 3, epochs: 3, batchSize: 16, optimizer: { kind: 'adam', lr: 0.01 }, seed: 7 }, 'cfg');
    // The image preprocessing of the data is part of what a checkpoint records (for eval).
    const preprocess = { name: 'grayscale', steps: [{ kind: 'grayscale' as const, channels: 1 as const }, { kind: 'toTensor' as const }] };
    const describe = { spec, method: 'diet' as const, neuron, preprocess };

    const full = snnFor(Network.create(spec, { seed: 5 }));
    await train({ target: full, train: trainSet, test: testSet, config, describe });
    const expected = weights(full);

    // "Killed" after epoch 2: a run of 2 epochs writes the checkpoint a 3-epoch run would have.
    const runDir = join(dir, 'run');
    const first = snnFor(Network.create(spec, { seed: 5 }));
    await train({ target: first, train: trainSet, test: testSet, config: { ...config, epochs: 2 }, runDir, describe });
    const resumed = snnFor(Network.create(spec, { seed: 99 })); // different init: everything must come from the checkpoint
    const ck = await loadCheckpoint(runDir);
    expect(ck.manifest.epoch).toBe(2);
    expect(ck.manifest.preprocess).toEqual(preprocess);
    await train({ target: resumed, train: trainSet, test: testSet, config, resume: ck, describe });
    const got = weights(resumed);
    expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [k, v] of expected) expect(Array.from(got.get(k)!), k).toEqual(Array.from(v));
    // Training moved the weights (otherwise equality proves nothing).
    const init = weights(snnFor(Network.create(spec, { seed: 5 })));
    expect(Array.from(init.get('layers.0.kernel')!)).not.toEqual(Array.from(expected.get('layers.0.kernel')!));
  });

  it('tensor count stays flat across SNN training steps', async () => {
    const target = snnFor(Network.create(spec, { seed: 1 }));
    const config = parseWith(TrainConfig, { method: 'diet', timesteps: 3, epochs: 2, batchSize: 16 }, 'cfg');
    const counts: number[] = [];
    await train({
      target, train: trainSet, test: testSet, config, describe: { spec, method: 'diet', neuron }, progressEvery: 1,
      onEvent: (e) => { if (e.type === 'batch') counts.push(tf.memory().numTensors); },
    });
    expect(counts.length).toBe(12);
    // The optimizer creates its slots in the first step; after that nothing may accumulate.
    expect(new Set(counts.slice(1)).size).toBe(1);
  });
});
