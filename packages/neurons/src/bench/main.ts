/**
 * Neuron benchmark: one LIF layer (DIET: current order, soft reset, linear surrogate,
 * trainable scalar λ and θ), forward + backward through T = 5 steps, composed tfjs ops
 * against the fused kernel. The backward starts from fixed random gradients on s(0..T−1) and
 * u(T−1) (what the next layer would send), injected at no cost, so only the layer is timed. Prints one JSON line per backend:
 *   { workload, backend, shape, neurons, T, composed_ms, fused_ms, speedup,
 *     forward_composed_ms, forward_fused_ms }
 * Usage: node dist/bench/main.js [--backends wasm,cpu] [--reps 3] [--shape 64,28,28,32]
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng, initEngine, type BackendName } from '@spikelite/engine';
import { lifStep, type LifParams, type LifState } from '../lif.js';
import { createSurrogate } from '../surrogates.js';
import type { NeuronImplementation } from '../types.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const T = 5;

/** A scalar 0 whose gradient with respect to `x` is `dy`: injects an upstream gradient for free. */
function upstream(x: tf.Tensor, dy: tf.Tensor): tf.Scalar {
  const f = tf.customGrad(((_a: tf.Tensor) => ({ value: tf.scalar(0), gradFunc: () => tf.clone(dy) })) as unknown as Parameters<
    typeof tf.customGrad
  >[0]);
  return f(x) as tf.Scalar;
}

async function timeMs(fn: () => tf.Tensor[], reps: number): Promise<number> {
  const sync = async (ts: tf.Tensor[]) => {
    for (const t of ts) {
      await t.data();
      t.dispose();
    }
  };
  await sync(fn()); // warm-up (JIT, kernel registration, allocator)
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await sync(fn());
  return (performance.now() - t0) / reps;
}

async function benchBackend(backend: BackendName, shape: number[], reps: number): Promise<object> {
  await initEngine({ backend });
  const n = shape.reduce((a, b) => a * b, 1);
  const rng = createRng(1);
  // Inputs around the threshold so that about a third of the neurons spike per step.
  const xs = Array.from({ length: T }, () => tf.tensor(Float32Array.from({ length: n }, () => rng.next() * 1.2 - 0.2), shape));
  const leak = tf.variable(tf.scalar(0.9), true, `bench-${backend}/leak`);
  const th = tf.variable(tf.scalar(0.8), true, `bench-${backend}/threshold`);
  const surrogate = createSurrogate({ kind: 'linear', gamma: 0.3 });
  const params = (implementation: NeuronImplementation): LifParams => ({
    leak,
    threshold: th,
    reset: 'soft',
    order: 'current',
    detachReset: true,
    surrogate,
    implementation,
  });
  // The backward is fed fixed random upstream gradients for every s(t) and for u(T−1) (what
  // the next layer would send) through a zero-cost op, so that only the layer is timed.
  const dys = Array.from({ length: T + 1 }, () => tf.tensor(Float32Array.from({ length: n }, () => rng.next() * 2 - 1), shape));
  const forward = (impl: NeuronImplementation, inputs: tf.Tensor[], l: tf.Tensor, t: tf.Tensor): tf.Scalar => {
    const p = { ...params(impl), leak: l, threshold: t };
    let state: LifState = { u: tf.zeros(shape) };
    const outs: tf.Tensor[] = [];
    inputs.forEach((x, i) => {
      const r = lifStep(x, state, p, i);
      outs.push(upstream(r.spikes, dys[i]!));
      state = r.state as LifState;
    });
    outs.push(upstream(state.u, dys[T]!));
    return tf.addN(outs) as tf.Scalar;
  };
  const fwdBwd = (impl: NeuronImplementation) => () =>
    tf.tidy(() => tf.grads((...a: tf.Tensor[]) => forward(impl, a.slice(0, T), a[T]!, a[T + 1]!))([...xs, leak, th]));
  const fwdOnly = (impl: NeuronImplementation) => () => [tf.tidy(() => forward(impl, xs, leak, th))];

  // Same result both ways (a benchmark of a wrong kernel is worthless). The largest
  // difference is in dλ, dθ: tfjs sums 1.6M float32 terms in float32, the fused kernel in
  // float64 (per block of 1024 in float32 lanes on wasm).
  const check = tf.tidy(() => {
    const a = fwdBwd('composed')();
    const b = fwdBwd('fused')();
    return Math.max(
      ...a.map((g, i) => tf.max(tf.abs(tf.sub(g, b[i]!))).dataSync()[0]! / Math.max(1e-12, tf.max(tf.abs(g)).dataSync()[0]!)),
    );
  });
  const before = tf.memory().numTensors;
  const composed = await timeMs(fwdBwd('composed'), reps);
  const fused = await timeMs(fwdBwd('fused'), reps);
  const forwardComposed = await timeMs(fwdOnly('composed'), reps);
  const forwardFused = await timeMs(fwdOnly('fused'), reps);
  const leaked = tf.memory().numTensors - before;
  xs.forEach((x) => x.dispose());
  dys.forEach((d) => d.dispose());
  leak.dispose();
  th.dispose();
  const r2 = (v: number) => Math.round(v * 100) / 100;
  return {
    workload: 'lif-fwd-bwd-T5',
    backend,
    shape,
    neurons: n,
    T,
    composed_ms: r2(composed),
    fused_ms: r2(fused),
    speedup: r2(composed / fused),
    forward_composed_ms: r2(forwardComposed),
    forward_fused_ms: r2(forwardFused),
    max_grad_rel_diff: check,
    tensors_leaked: leaked,
  };
}

async function main(): Promise<void> {
  const backends = arg('backends', 'wasm,cpu').split(',') as BackendName[];
  const reps = Number(arg('reps', '3'));
  const shape = arg('shape', '64,28,28,32').split(',').map(Number);
  for (const b of backends) {
    process.stdout.write(`${JSON.stringify(await benchBackend(b, shape, reps))}\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
