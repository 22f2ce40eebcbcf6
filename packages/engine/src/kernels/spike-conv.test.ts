import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../backend.js';
import { createRng } from '../rng.js';
import {
  resetSpikeKernelStats,
  setSpikeKernelMode,
  spikeConv2d,
  spikeKernelStats,
  spikeMatMul,
  type SpikeKernelMode,
} from './spike-conv.js';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
interface Case {
  x: [number, number, number, number];
  k: [number, number];
  cout: number;
  strides: [number, number];
  pad: Pad;
}

// Co = 36, 68, 28, 12 and 40 exercise passes of 32, 16, 8 and 4 channels; C = 3 and 5 the
// per-element event scan; strides, padding and non-square shapes the tap geometry.
const CASES: Case[] = [
  { x: [2, 8, 8, 4], k: [3, 3], cout: 36, strides: [1, 1], pad: 'same' },
  { x: [3, 9, 7, 5], k: [3, 3], cout: 28, strides: [1, 1], pad: 'valid' },
  { x: [2, 9, 9, 8], k: [3, 3], cout: 68, strides: [2, 2], pad: 'same' },
  { x: [2, 10, 7, 3], k: [3, 2], cout: 4, strides: [2, 1], pad: 'valid' },
  { x: [1, 6, 6, 16], k: [1, 1], cout: 32, strides: [1, 1], pad: 'valid' },
  { x: [2, 8, 6, 4], k: [3, 3], cout: 12, strides: [1, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [2, 12, 12, 8], k: [5, 5], cout: 40, strides: [3, 3], pad: 'same' },
];
const DENSITIES = [0, 0.01, 0.1, 0.5, 1];

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** A spike map of the given density; `graded` scales spikes to 0.25…1 like an average pool. */
function spikes(shape: number[], density: number, seed: number, graded = false): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: size(shape) }, () => (rng.next() < density ? (graded ? 0.25 * (1 + rng.int(4)) : 1) : 0));
}

function randomArray(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
}

interface Result {
  y: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
}

/**
 * y, and the gradients of sum(y · r) in x and w, with `conv` on the current backend; r (the
 * upstream gradient dy) has `dyDensity` non-zeros, as surrogate gradients gate it.
 */
function run(c: Case, xs: Float32Array, seed: number, conv: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D, dyDensity = 1): Result {
  const wShape: [number, number, number, number] = [c.k[0], c.k[1], c.x[3], c.cout];
  return tf.tidy(() => {
    const x = tf.tensor4d(xs, c.x);
    const w = tf.tensor4d(randomArray(size(wShape), seed), wShape);
    const y = conv(x, w);
    const gate = createRng(seed + 2);
    const r = tf.tensor(randomArray(y.size, seed + 1).map((v) => (gate.next() < dyDensity ? v : 0)), y.shape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), r)))([x, w]);
    return { y: y.dataSync() as Float32Array, dx: dx!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array };
  });
}

/** max |a − b| / max(|b|, 1e-3·…): relative to the reference's scale. */
function relErr(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let scale = 0;
  let err = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]!));
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
  }
  return scale === 0 ? err : err / scale;
}

async function reference(c: Case, xs: Float32Array, seed: number, dyDensity = 1): Promise<Result> {
  await tf.setBackend('cpu');
  const r = run(c, xs, seed, (x, w) => tf.conv2d(x, w, c.strides, c.pad), dyDensity);
  await tf.setBackend('wasm');
  return r;
}

describe('spikeConv2d (event-driven convolution of spikes)', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'wasm' });
  });
  afterEach(() => setSpikeKernelMode('auto'));

  for (const graded of [false, true]) {
    const dyDensity = graded ? 1 : 0.2;
    it.each(CASES.map((c, i) => [i, c] as const))(`case %i, ${graded ? 'graded (pooled) spikes, dense dy' : 'binary spikes, gated dy'}: sparse path = cpu conv2d at 0–100 % density`, async (i, c) => {
      // The input gradient runs event-driven for stride 1 when its output (C) fits the SIMD lanes.
      const inputSparse = c.strides[0] === 1 && c.strides[1] === 1 && c.x[3] % 4 === 0;
      for (const [k, density] of DENSITIES.entries()) {
        const seed = 1000 * i + 10 * k + (graded ? 5 : 0);
        const xs = spikes(c.x, density, seed, graded);
        const ref = await reference(c, xs, seed, dyDensity);
        setSpikeKernelMode('sparse');
        resetSpikeKernelStats();
        const got = run(c, xs, seed, (x, w) => spikeConv2d(x, w, c.strides, c.pad), dyDensity);
        const s = spikeKernelStats();
        // The forward and both gradients really took the event-driven path.
        expect(s.forward, `density ${density}`).toMatchObject({ sparse: 2, dense: 0 });
        expect(s.filter).toMatchObject({ sparse: 1, dense: 0 });
        expect(s.input).toMatchObject(inputSparse ? { sparse: 1, dense: 0 } : { sparse: 0, dense: 1 });
        const label = `case ${i}, density ${density}`;
        expect(relErr(got.y, ref.y), label).toBeLessThanOrEqual(1e-5);
        expect(relErr(got.dx, ref.dx), label).toBeLessThanOrEqual(1e-5);
        expect(relErr(got.dw, ref.dw), label).toBeLessThanOrEqual(1e-5);
        if (density > 0) expect(Math.max(...ref.y.map(Math.abs)), label).toBeGreaterThan(0.1);
        else expect(Math.max(...got.y.map(Math.abs))).toBe(0);
        expect(Math.max(...ref.dx.map(Math.abs)), label).toBeGreaterThan(0.1);
      }
    });
  }

  it('auto mode takes the event-driven path below the crossover and the dense one above; both give the same result', async () => {
    const c = CASES[0]!;
    for (const [density, path] of [[0.02, 'sparse'], [0.9, 'dense']] as const) {
      const xs = spikes(c.x, density, 7);
      const ref = await reference(c, xs, 7);
      resetSpikeKernelStats();
      const got = run(c, xs, 7, (x, w) => spikeConv2d(x, w, c.strides, c.pad));
      const s = spikeKernelStats();
      expect(path === 'sparse' ? s.forward.sparse : s.forward.dense).toBeGreaterThan(0);
      expect(path === 'sparse' ? s.forward.dense : s.forward.sparse).toBe(0);
      expect(relErr(got.y, ref.y)).toBeLessThanOrEqual(1e-5);
      expect(relErr(got.dw, ref.dw)).toBeLessThanOrEqual(1e-5);
    }
  });

  it('dense mode never takes the event-driven path', () => {
    const c = CASES[1]!;
    setSpikeKernelMode('dense');
    resetSpikeKernelStats();
    run(c, spikes(c.x, 0.05, 3), 3, (x, w) => spikeConv2d(x, w, c.strides, c.pad));
    const s = spikeKernelStats();
    expect(s.forward.sparse + s.filter.sparse + s.input.sparse).toBe(0);
    expect(s.forward.dense).toBeGreaterThan(0);
  });

  it.each(['sparse', 'dense', 'auto'] as SpikeKernelMode[])('spikeMatMul (%s) = cpu matMul, with gradients', async (mode) => {
    const [n, k, m] = [17, 72, 44];
    for (const density of DENSITIES) {
      const xs = spikes([n, k], density, 11);
      const ws = randomArray(k * m, 12);
      const rs = randomArray(n * m, 13);
      const go = (mm: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D) =>
        tf.tidy(() => {
          const x = tf.tensor2d(xs, [n, k]);
          const w = tf.tensor2d(ws, [k, m]);
          const r = tf.tensor2d(rs, [n, m]);
          const y = mm(x, w);
          const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(mm(a as tf.Tensor2D, b as tf.Tensor2D), r)))([x, w]);
          return [y, dx!, dw!].map((t) => t.dataSync() as Float32Array);
        });
      await tf.setBackend('cpu');
      const ref = go((a, b) => tf.matMul(a, b));
      await tf.setBackend('wasm');
      setSpikeKernelMode(mode);
      resetSpikeKernelStats();
      const got = go(spikeMatMul);
      const st = spikeKernelStats();
      for (const part of ['forward', 'filter', 'input'] as const) {
        if (mode === 'sparse') expect(st[part].dense, part).toBe(0);
        if (mode === 'dense') expect(st[part].sparse, part).toBe(0);
      }
      expect(st.forward.sparse + st.forward.dense).toBe(2);
      expect(st.filter.sparse + st.filter.dense).toBe(1);
      for (let i = 0; i < 3; i++) expect(relErr(got[i]!, ref[i]!), `density ${density}, output ${i}`).toBeLessThanOrEqual(1e-5);
    }
  });

  it('keeps tensor counts flat', () => {
    const c = CASES[0]!;
    const xs = spikes(c.x, 0.1, 5);
    setSpikeKernelMode('sparse');
    run(c, xs, 5, (x, w) => spikeConv2d(x, w, c.strides, c.pad));
    const before = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    for (let i = 0; i < 3; i++) run(c, xs, 5, (x, w) => spikeConv2d(x, w, c.strides, c.pad));
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numBytes).toBe(bytes);
  });

  it('runs on the cpu backend (dense) with the same results', async () => {
    const c = CASES[2]!;
    const xs = spikes(c.x, 0.2, 9);
    const ref = await reference(c, xs, 9);
    await tf.setBackend('cpu');
    const got = run(c, xs, 9, (x, w) => spikeConv2d(x, w, c.strides, c.pad));
    await tf.setBackend('wasm');
    expect(relErr(got.y, ref.y)).toBeLessThanOrEqual(1e-6);
    expect(relErr(got.dw, ref.dw)).toBeLessThanOrEqual(1e-6);
  });
});
