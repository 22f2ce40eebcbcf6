/**
 * Inference throughput of the `fmnist-small-T5` workload (shared/bench/BENCH.md: conv 32,
 * pool, conv 64, pool, linear 128, linear 10; LIF λ = θ = 1, soft reset; direct input; T = 5;
 * random uniform images) exported to ONNX and run in onnxruntime-node, against spikelite's own
 * `snn.forward` (release mode) on the same images. One JSON line on stdout.
 *
 *   node packages/onnx/dist/bench/snn-throughput.js [--batch 256] [--repeat 3] [--threads 1]
 *
 * BENCH.md's `infer_images_per_s`: a batch of 256 images over T steps, no gradients, after one
 * warm-up batch; here the mean of `--repeat` timed batches.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { createEncoder } from '@spikelite/encoding';
import { initEngine } from '@spikelite/engine';
import { Network, SnnModel } from '@spikelite/models';
import { ModelSpec, parseWith } from '@spikelite/schemas';
import { exportSnnToOnnx } from '../export/snn.js';
import { checkSnnParity, SnnOnnxSession } from '../export/run.js';

const { values } = parseArgs({
  options: { batch: { type: 'string' }, repeat: { type: 'string' }, threads: { type: 'string' } },
  strict: true,
});
const positiveInt = (name: string, raw: string | undefined, fallback: number): number => {
  const v = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name}: expected a positive integer, got '${raw}'`);
  return v;
};
const batch = positiveInt('batch', values.batch, 256);
const repeat = positiveInt('repeat', values.repeat, 3);
const threads = positiveInt('threads', values.threads, 1);
const T = 5;

const engine = await initEngine();
const spec = parseWith(
  ModelSpec,
  {
    input: { channels: 1, height: 28, width: 28 },
    classes: 10,
    layers: [
      { kind: 'conv2d', filters: 32, kernelSize: 3 },
      { kind: 'activation', fn: 'relu' },
      { kind: 'avgPool', poolSize: 2 },
      { kind: 'conv2d', filters: 64, kernelSize: 3 },
      { kind: 'activation', fn: 'relu' },
      { kind: 'avgPool', poolSize: 2 },
      { kind: 'flatten' },
      { kind: 'linear', units: 128 },
      { kind: 'activation', fn: 'relu' },
      { kind: 'linear', units: 10 },
    ],
  },
  'fmnist-small-T5',
);
const net = Network.create(spec, { seed: 0 });
const snn = new SnnModel(net, {
  timesteps: T,
  neuron: { kind: 'lif', leak: 1, threshold: 1, trainLeak: true, trainThreshold: true, granularity: 'layer', reset: 'soft', order: 'current', initialPotential: 0, leakMax: 1, leakMin: null, surrogate: { kind: 'linear', gamma: 0.3 } },
  encoder: createEncoder({ kind: 'direct' }, { timesteps: T }),
});
const bytes = exportSnnToOnnx(snn);

// Random uniform images (the speed does not depend on the data), NCHW for onnxruntime; C = 1.
const nchw = tf.tidy(() => tf.randomUniform([batch, 1, 28, 28], 0, 1, 'float32', 2).dataSync() as Float32Array);
const nhwc = tf.tensor4d(nchw, [batch, 28, 28, 1]);

const timeIt = async (run: () => Promise<void> | void): Promise<number> => {
  await run(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < repeat; i++) await run();
  return (performance.now() - t0) / repeat;
};

const spikeliteMs = await timeIt(() => {
  const r = snn.forward(nhwc, { release: true });
  r.logits.dataSync();
  tf.dispose(r as unknown as tf.TensorContainer); // every tensor of the result
});
const session = await SnnOnnxSession.create(bytes, { threads });
const onnxMs = await timeIt(async () => {
  await session.run(nchw, [batch, 1, 28, 28]);
});
await session.release();
const parity = await checkSnnParity(snn, bytes, { data: nchw, shape: [batch, 1, 28, 28] }, { batchSize: batch });

const ortVersion = (ort.env.versions as { node?: string; common?: string }).node ?? (ort.env.versions as { common?: string }).common ?? 'unknown';
process.stdout.write(
  `${JSON.stringify({
    workload: 'fmnist-small-T5',
    metric: 'infer_images_per_s',
    batch,
    timesteps: T,
    repeat,
    spikelite: { engine: `spikelite-tfjs-${tf.version_core}-${engine.backend}`, threads: 1, ms_per_batch: Math.round(spikeliteMs), infer_images_per_s: Math.round((batch / spikeliteMs) * 1000) },
    onnxruntime: { engine: `onnxruntime-node-${ortVersion}`, threads, ms_per_batch: Math.round(onnxMs), infer_images_per_s: Math.round((batch / onnxMs) * 1000) },
    speedup: Number((spikeliteMs / onnxMs).toFixed(2)),
    onnx_bytes: bytes.length,
    agreement: { logits_relative_diff: parity.relativeDiff, spike_counts_differing: parity.spikes.differing, spikes: parity.spikes.total },
  })}\n`,
);
nhwc.dispose();
snn.dispose();
net.dispose();
