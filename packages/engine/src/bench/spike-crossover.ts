/**
 * Where the event-driven spike kernels beat the dense ones: forward and weight-gradient CPU
 * time of `spikeConv2d`, forced sparse and forced dense, on the spike-fed layer shapes of the
 * BENCH.md workloads (one timestep's batch), over input densities from 0 to 100 %. Prints
 * one JSON line per (layer, density) and a summary line per layer with the measured
 * crossover: the highest density at which the sparse path is still faster.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '../rng.js';
import { setConv2dMemo } from '../kernels/derived.js';
import { setSpikeKernelMode, spikeConv2d, spikeKernelMode } from '../kernels/spike-conv.js';

export interface CrossoverLayer {
  name: string;
  /** NHWC input of one timestep. */
  x: [number, number, number, number];
  k: number;
  cout: number;
}

/**
 * Spike-fed layers of fmnist-small-T5 (batch 64), cifar-vgg9-T5 (batch 32) and the converted
 * fmnist-cnn-bn (BENCH.md's inference workloads: batch 256 and batch 1); linear layers as
 * 1×1 convolutions.
 */
export const CROSSOVER_LAYERS: CrossoverLayer[] = [
  { name: 'cnn-bn conv1 1→16 28×28 b256', x: [256, 28, 28, 1], k: 3, cout: 16 },
  { name: 'cnn-bn conv2 16→32 14×14 b256', x: [256, 14, 14, 16], k: 3, cout: 32 },
  { name: 'cnn-bn fc1 1568→128 b256', x: [256, 1, 1, 1568], k: 1, cout: 128 },
  { name: 'cnn-bn conv2 16→32 14×14 b1', x: [1, 14, 14, 16], k: 3, cout: 32 },
  { name: 'cnn-bn fc1 1568→128 b1', x: [1, 1, 1, 1568], k: 1, cout: 128 },
  { name: 'fmnist-small conv2 32→64 14×14 b64', x: [64, 14, 14, 32], k: 3, cout: 64 },
  { name: 'fmnist-small fc1 3136→128 b64', x: [64, 1, 1, 3136], k: 1, cout: 128 },
  { name: 'vgg9 conv2 64→64 32×32 b32', x: [32, 32, 32, 64], k: 3, cout: 64 },
  { name: 'vgg9 conv4 128→128 16×16 b32', x: [32, 16, 16, 128], k: 3, cout: 128 },
  { name: 'vgg9 conv6 256→256 8×8 b32', x: [32, 8, 8, 256], k: 3, cout: 256 },
  { name: 'vgg9 fc1 4096→1024 b32', x: [32, 1, 1, 4096], k: 1, cout: 1024 },
];

export const CROSSOVER_DENSITIES = [0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1];

function spikeTensor(shape: [number, number, number, number], density: number, seed: number): tf.Tensor4D {
  const rng = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(Float32Array.from({ length: n }, () => (rng.next() < density ? 1 : 0)), shape);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** CPU time of this process, ms: on a shared, loaded machine it moves far less than wall time. */
export function cpuNowMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Median CPU ms of `fn` over `reps` timings after one warm-up; each timing runs `fn` enough
 * times to last ≥ 20 ms (tiny layers), `fn` returns a tensor to read and free.
 */
function timeMs(fn: () => tf.Tensor, reps: number): number {
  const run = (k: number) => {
    const t0 = cpuNowMs();
    for (let i = 0; i < k; i++) {
      const y = fn();
      y.dataSync();
      y.dispose();
    }
    return (cpuNowMs() - t0) / k;
  };
  const first = run(1);
  const k = Math.max(1, Math.min(200, Math.ceil(20 / Math.max(first, 0.01))));
  return median(Array.from({ length: reps }, () => run(k)));
}

export interface CrossoverRow {
  workload: 'spike-crossover';
  layer: string;
  density: number;
  fwd_sparse_ms: number;
  fwd_dense_ms: number;
  dw_sparse_ms: number;
  dw_dense_ms: number;
}

export interface CrossoverSummary {
  workload: 'spike-crossover-summary';
  layer: string;
  /** Highest density measured at which the sparse path was faster (null: never). */
  fwd_crossover: number | null;
  dw_crossover: number | null;
}

/** Measure every layer × density; `emit` gets each row and each layer's summary. */
export function spikeCrossover(emit: (row: CrossoverRow | CrossoverSummary) => void, options: { reps?: number; layers?: CrossoverLayer[]; densities?: number[] } = {}): void {
  const reps = options.reps ?? 3;
  const saved = spikeKernelMode();
  // The same convolution runs many times here: time it, not the memo's lookup.
  setConv2dMemo(false);
  try {
    for (const layer of options.layers ?? CROSSOVER_LAYERS) {
      const wShape: [number, number, number, number] = [layer.k, layer.k, layer.x[3], layer.cout];
      const rng = createRng(1);
      const w = tf.tensor4d(Float32Array.from({ length: wShape.reduce((a, b) => a * b, 1) }, () => rng.normal() * 0.05), wShape);
      const yShape: [number, number, number, number] = [layer.x[0], layer.x[1], layer.x[2], layer.cout];
      const dy = tf.tensor4d(Float32Array.from({ length: yShape.reduce((a, b) => a * b, 1) }, () => rng.normal()), yShape);
      const rows: CrossoverRow[] = [];
      for (const density of options.densities ?? CROSSOVER_DENSITIES) {
        const x = spikeTensor(layer.x, density, 2);
        const pad = layer.k === 1 ? 'valid' : 'same';
        const fwd = () => spikeConv2d(x, w, 1, pad);
        // dW alone: the gradient of sum(conv · dy) in w.
        const dw = () => tf.grad((f: tf.Tensor) => tf.sum(tf.mul(spikeConv2d(x, f as tf.Tensor4D, 1, pad), dy)))(w);
        const at = (mode: 'sparse' | 'dense', fn: () => tf.Tensor) => {
          setSpikeKernelMode(mode);
          return timeMs(fn, reps);
        };
        const fs = at('sparse', fwd);
        const fd = at('dense', fwd);
        // dW is timed with its forward and product; subtract the forward of the same path.
        const ws = Math.max(0, at('sparse', dw) - fs);
        const wd = Math.max(0, at('dense', dw) - fd);
        const row: CrossoverRow = {
          workload: 'spike-crossover', layer: layer.name, density,
          fwd_sparse_ms: +fs.toFixed(2), fwd_dense_ms: +fd.toFixed(2), dw_sparse_ms: +ws.toFixed(2), dw_dense_ms: +wd.toFixed(2),
        };
        rows.push(row);
        emit(row);
        x.dispose();
      }
      const cross = (s: keyof CrossoverRow, d: keyof CrossoverRow) => {
        const wins = rows.filter((r) => (r[s] as number) < (r[d] as number)).map((r) => r.density);
        return wins.length === 0 ? null : Math.max(...wins);
      };
      emit({ workload: 'spike-crossover-summary', layer: layer.name, fwd_crossover: cross('fwd_sparse_ms', 'fwd_dense_ms'), dw_crossover: cross('dw_sparse_ms', 'dw_dense_ms') });
      tf.dispose([w, dy]);
    }
  } finally {
    setSpikeKernelMode(saved);
    setConv2dMemo(true);
  }
}
