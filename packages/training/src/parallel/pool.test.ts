/**
 * Data-parallel training on worker threads. The workers run the package's built JS
 * (dist/parallel/worker.js): the build runs first, as the CLI's tests build the CLI.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type { ImageSet } from '@spikelite/data';
import { createRng, initEngine } from '@spikelite/engine';
import { ModelSpec, NeuronSpec, TrainConfig, parseWith } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { train } from '../trainer.js';
import { DataParallel } from './pool.js';
import { buildTarget, type TargetRecipe } from './recipe.js';
import { shardStep } from './shard-step.js';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function toySet(count: number, seed: number): ImageSet {
  const rng = createRng(seed);
  const images = new Float32Array(count * 64);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const c = rng.int(4);
    labels[n] = c;
    for (let i = 0; i < 64; i++) images[n * 64 + i] = rng.next() * 0.3 + ((i % 8 < 4 ? 0 : 1) + (i < 32 ? 0 : 2) === c ? 0.7 : 0);
  }
  return { images, labels, count, height: 8, width: 8, channels: 1, classes: 4 };
}

const spec = parseWith(ModelSpec, {
  input: { channels: 1, height: 8, width: 8 },
  classes: 4,
  layers: [
    { kind: 'conv2d', filters: 8, kernelSize: 3 },
    { kind: 'activation', fn: 'relu' },
    { kind: 'avgPool', poolSize: 2 },
    { kind: 'conv2d', filters: 8, kernelSize: 3 },
    { kind: 'activation', fn: 'relu' },
    { kind: 'flatten' },
    { kind: 'linear', units: 4 },
  ],
}, 'toy');
const neuron = parseWith(NeuronSpec, { kind: 'lif', leak: 0.9, threshold: 0.3 }, 'neuron');
const recipe: TargetRecipe = { kind: 'snn', spec, timesteps: 3, neurons: neuron, encoding: { kind: 'direct' }, loss: { kind: 'ce', on: 'mean', labelSmoothing: 0 } };
// Rate coding draws random numbers per shard: reproducibility with randomness.
const rateRecipe: TargetRecipe = { ...recipe, encoding: { kind: 'rate', distribution: 'bernoulli', signed: false, gain: 1 } };
const config = (seed: number) => parseWith(TrainConfig, { method: 'diet', timesteps: 3, epochs: 1, batchSize: 16, seed, optimizer: { kind: 'adam', lr: 0.01 } }, 'train');

async function trainOnce(r: TargetRecipe, threads: number | null): Promise<{ weights: Map<string, Float32Array>; threads: number; loss: number }> {
  const built = buildTarget(r);
  try {
    const result = await train({
      target: built.target,
      train: toySet(48, 1),
      test: toySet(16, 2),
      config: config(3),
      describe: { spec, method: 'diet', neuron },
      ...(threads === null ? {} : { parallel: { threads, recipe: r } }),
    });
    const weights = new Map([...built.target.state()].map(([k, v]) => [k, Float32Array.from(v.dataSync())]));
    return { weights, threads: result.threads, loss: result.metrics[0]?.trainLoss ?? NaN };
  } finally {
    built.dispose();
  }
}

function expectSame(a: Map<string, Float32Array>, b: Map<string, Float32Array>): void {
  expect([...a.keys()]).toEqual([...b.keys()]);
  for (const [k, v] of a) expect(Array.from(b.get(k)!), k).toEqual(Array.from(v));
}

beforeAll(async () => {
  const build = spawnSync(process.execPath, [join(pkg, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-b'], { cwd: pkg, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`tsc -b failed:\n${build.stdout}${build.stderr}`);
  await initEngine({ backend: 'wasm' });
}, 300_000);

describe('data-parallel training (worker threads)', () => {
  it('two shards give the full-batch gradient (to float32 rounding)', async () => {
    const built = buildTarget(recipe);
    const trainable = built.target.trainable();
    const vars = [...trainable.values()];
    const set = toySet(16, 5);
    const x = tf.tensor4d(set.images, [16, 8, 8, 1]);
    const y = tf.tensor1d(set.labels, 'int32');
    const serial = shardStep(built.target, vars, x, y, createRng(1));
    const pool = await DataParallel.start(built.target, vars, [...trainable.keys()], { threads: 2, recipe });
    try {
      expect(pool.threads).toBe(2);
      const before = tf.memory().numTensors;
      const r = await pool.step(x, y, createRng(1));
      let at = 0;
      let scale = 0;
      let err = 0;
      r.grads.forEach((g, i) => {
        const got = g.dataSync();
        for (let j = 0; j < got.length; j++) {
          const want = serial.grads[at + j]!;
          scale = Math.max(scale, Math.abs(want));
          err = Math.max(err, Math.abs(got[j]! - want));
        }
        at += vars[i]!.size;
      });
      expect(scale).toBeGreaterThan(1e-3); // the gradient carries signal
      expect(err / scale).toBeLessThanOrEqual(1e-5);
      expect(r.loss).toBeCloseTo(serial.loss, 5);
      expect(r.hits).toBe(serial.hits);
      expect(r.spikes).toBe(serial.spikes);
      tf.dispose(r.grads);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await pool.close();
      tf.dispose([x, y]);
      built.dispose();
    }
  }, 120_000);

  it('train() with 2 threads is reproducible bit for bit, also with stochastic encoding; 1 thread equals no option', async () => {
    const a = await trainOnce(rateRecipe, 2);
    const b = await trainOnce(rateRecipe, 2);
    expect(a.threads).toBe(2);
    expectSame(a.weights, b.weights);
    const serial = await trainOnce(rateRecipe, null);
    const one = await trainOnce(rateRecipe, 1);
    expect(one.threads).toBe(1);
    expectSame(serial.weights, one.weights);
    // Two shards draw their own spikes: the run differs from the 1-thread one, but trains.
    expect(Number.isFinite(a.loss)).toBe(true);
  }, 300_000);

  it('with a deterministic encoding, 2 threads track 1 thread closely', async () => {
    const two = await trainOnce(recipe, 2);
    const one = await trainOnce(recipe, null);
    const init = buildTarget(recipe);
    const moved = [...init.target.state()].some(([k, v]) => {
      const a = v.dataSync();
      const b = one.weights.get(k)!;
      return a.some((x, i) => Math.abs(x - b[i]!) > 1e-3);
    });
    init.dispose();
    expect(moved).toBe(true); // training changed the weights: the comparison below means something
    for (const [k, v] of one.weights) {
      const w = two.weights.get(k)!;
      let diff = 0;
      let scale = 0;
      for (let i = 0; i < v.length; i++) {
        diff = Math.max(diff, Math.abs(v[i]! - w[i]!));
        scale = Math.max(scale, Math.abs(v[i]!));
      }
      // 3 Adam steps of lr 0.01 from the same start: only float rounding of the reduction differs.
      expect(diff, k).toBeLessThanOrEqual(1e-3 * Math.max(scale, 1));
    }
  }, 300_000);
});
