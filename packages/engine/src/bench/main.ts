/**
 * Engine benchmark: prints one JSON line per (workload, backend).
 *  - `conv2-train-step`: one training step (forward, backward, Adam update) of a 2-layer conv
 *    net on 28x28x1 inputs, batch 32: conv3x3 32 -> relu -> avgpool -> conv3x3 64 -> relu ->
 *    avgpool -> linear 10 -> softmax CE. tooling/bench/torch_conv_step.py runs the same step.
 *  - `conv-grad-kernels`: DESIGN.md's kernel measurement (batch 32, 32x32x64 -> 64, 3x3):
 *    forward, dx and dW separately.
 *  - `spike-crossover` (wasm only, on request): the event-driven spike kernels against the
 *    dense ones over input densities (spike-crossover.ts).
 * Usage: node dist/bench/main.js [--backends wasm,cpu] [--steps 5] [--workloads spike-crossover] [--reps 3]
 * (the kernel workload is skipped on cpu: its dW alone takes minutes)
 */
import * as tf from '@tensorflow/tfjs-core';
import { initEngine, type BackendName } from '../backend.js';
import { registerSpikeliteKernels, restoreBuiltinKernels } from '../kernels/register.js';
import { createRng } from '../rng.js';
import { spikeCrossover } from './spike-crossover.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

function randn(shape: number[], seed: number, scale: number): tf.Tensor {
  const rng = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rng.normal() * scale), shape);
}

async function timeMs(fn: () => tf.Tensor | tf.Tensor[] | void, reps: number): Promise<number> {
  const sync = async (r: tf.Tensor | tf.Tensor[] | void) => {
    const ts = r === undefined ? [] : Array.isArray(r) ? r : [r];
    for (const t of ts) {
      await t.data();
      t.dispose();
    }
  };
  await sync(fn()); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await sync(fn());
  return (performance.now() - t0) / reps;
}

async function convTrainStep(backend: BackendName, steps: number): Promise<object> {
  const batch = 32;
  const w1 = tf.variable(randn([3, 3, 1, 32], 1, Math.sqrt(2 / 9)));
  const w2 = tf.variable(randn([3, 3, 32, 64], 2, Math.sqrt(2 / (9 * 32))));
  const w3 = tf.variable(randn([7 * 7 * 64, 10], 3, 0.01));
  const x = randn([batch, 28, 28, 1], 4, 1);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32'), 10);
  const opt = tf.train.adam(1e-3);
  const loss = (): tf.Scalar => {
    let h = tf.avgPool(tf.relu(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 1, 'same')), 2, 2, 'valid');
    h = tf.avgPool(tf.relu(tf.conv2d(h, w2 as tf.Tensor4D, 1, 'same')), 2, 2, 'valid');
    const logits = tf.matMul(tf.reshape(h, [batch, -1]), w3);
    return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  };
  const step = () => {
    const l = opt.minimize(loss, true);
    return l ?? undefined;
  };
  const ms = await timeMs(step, steps);
  // Adam's slots exist after the warm-up step inside timeMs; count growth over one more step.
  const tensorsBefore = tf.memory().numTensors;
  await timeMs(step, 0);
  const tensorsAfter = tf.memory().numTensors;
  opt.dispose();
  tf.dispose([w1, w2, w3, x, labels]);
  return { workload: 'conv2-train-step', backend, batch, train_ms_per_step: +ms.toFixed(1), steps, tensors_growth: tensorsAfter - tensorsBefore };
}

async function convGradKernels(backend: BackendName, reps: number): Promise<object> {
  const x = randn([32, 32, 32, 64], 5, 1) as tf.Tensor4D;
  const w = randn([3, 3, 64, 64], 6, 0.05) as tf.Tensor4D;
  const dy = randn([32, 32, 32, 64], 7, 1) as tf.Tensor4D;
  const dxOp = () => tf.conv2dTranspose(dy, w, x.shape, 1, 'same');
  const fwd = await timeMs(() => tf.conv2d(x, w, 1, 'same'), reps);
  const dx = await timeMs(dxOp, reps);
  // dW is timed through tf.grad, which also runs one forward conv and a multiply.
  const dw = await timeMs(() => tf.grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, 1, 'same'), dy)))(w), reps);
  // The backend's own dx kernel, where spikelite replaced one (wasm has no dW kernel at all).
  let dxBuiltin: number | null = null;
  if (restoreBuiltinKernels(backend).includes('Conv2DBackpropInput')) {
    dxBuiltin = +(await timeMs(dxOp, reps)).toFixed(1);
    registerSpikeliteKernels(backend);
  }
  tf.dispose([x, w, dy]);
  return {
    workload: 'conv-grad-kernels', backend, shape: '32x32x32x64->64 3x3', reps,
    fwd_ms: +fwd.toFixed(1), dx_ms: +dx.toFixed(1), dx_builtin_ms: dxBuiltin, dw_with_fwd_ms: +dw.toFixed(1),
  };
}

async function main(): Promise<void> {
  const backends = arg('backends', 'wasm,cpu').split(',') as BackendName[];
  const steps = Number(arg('steps', '5'));
  const workloads = arg('workloads', 'conv2-train-step,conv-grad-kernels').split(',');
  if (workloads.includes('spike-crossover')) {
    await initEngine({ backend: 'wasm' });
    spikeCrossover((row) => console.log(JSON.stringify(row)), { reps: Number(arg('reps', '3')) });
    return;
  }
  for (const b of backends) {
    try {
      const info = await initEngine({ backend: b });
      // The cpu backend is ~400x slower on conv gradients: one step is enough to see it.
      console.log(JSON.stringify(await convTrainStep(info.backend, b === 'cpu' ? 1 : steps)));
      if (b !== 'cpu') console.log(JSON.stringify(await convGradKernels(info.backend, 3)));
    } catch (e) {
      console.log(JSON.stringify({ backend: b, error: String(e instanceof Error ? e.message : e) }));
    }
  }
}

await main();
