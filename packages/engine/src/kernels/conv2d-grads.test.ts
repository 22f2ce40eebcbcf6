import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../backend.js';
import { createRng } from '../rng.js';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
interface Case {
  x: [number, number, number, number];
  k: [number, number];
  cout: number;
  strides: [number, number];
  pad: Pad;
}

const CASES: Case[] = [
  { x: [2, 8, 8, 3], k: [3, 3], cout: 4, strides: [1, 1], pad: 'same' },
  { x: [1, 7, 9, 1], k: [3, 3], cout: 5, strides: [1, 1], pad: 'valid' },
  { x: [3, 9, 9, 4], k: [3, 3], cout: 2, strides: [2, 2], pad: 'same' },
  { x: [2, 10, 7, 6], k: [3, 2], cout: 3, strides: [2, 2], pad: 'valid' },
  { x: [2, 11, 8, 2], k: [5, 3], cout: 7, strides: [2, 1], pad: 'same' },
  { x: [1, 6, 6, 16], k: [1, 1], cout: 8, strides: [2, 2], pad: 'valid' },
  { x: [2, 8, 6, 3], k: [3, 3], cout: 4, strides: [1, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [4, 12, 12, 8], k: [3, 3], cout: 8, strides: [3, 3], pad: 'same' },
];

function randomArray(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
}

/** Gradients of sum(conv(x, w) * r) with respect to x and w, on the current backend. */
function convGrads(c: Case, seed: number): { dx: Float32Array; dw: Float32Array } {
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const wShape: [number, number, number, number] = [c.k[0], c.k[1], c.x[3], c.cout];
  return tf.tidy(() => {
    const x = tf.tensor4d(randomArray(size(c.x), seed), c.x);
    const w = tf.tensor4d(randomArray(size(wShape), seed + 1), wShape);
    const yShape = tf.conv2d(x, w, c.strides, c.pad).shape;
    const r = tf.tensor(randomArray(size(yShape), seed + 2), yShape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad), r)),
    )([x, w]);
    return { dx: dx!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array };
  });
}

function maxRelErr(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let scale = 0;
  let err = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]!));
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
  }
  return err / Math.max(scale, 1e-12);
}

describe('wasm conv2d gradient kernels', () => {
  beforeAll(async () => {
    const info = await initEngine({ backend: 'wasm' });
    expect(info.kernels).toEqual(['Conv2DBackpropInput', 'Conv2DBackpropFilter', 'BatchMatMul', 'AvgPoolGrad', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', 'Identity', 'Conv2D']);
  });

  it.each(CASES.map((c, i) => [i, c] as const))('case %i matches the cpu backend to 1e-5', async (i, c) => {
    await tf.setBackend('cpu');
    const ref = convGrads(c, 100 + i);
    await tf.setBackend('wasm');
    const got = convGrads(c, 100 + i);
    expect(maxRelErr(got.dx, ref.dx)).toBeLessThanOrEqual(1e-5);
    expect(maxRelErr(got.dw, ref.dw)).toBeLessThanOrEqual(1e-5);
    // The reference must carry signal, or the comparison proves nothing.
    expect(Math.max(...ref.dw.map(Math.abs))).toBeGreaterThan(0.1);
  });

  it('does not leak tensors', async () => {
    await tf.setBackend('wasm');
    const c = CASES[2]!;
    convGrads(c, 1);
    const before = tf.memory().numTensors;
    const bytesBefore = tf.memory().numBytes;
    for (let i = 0; i < 3; i++) convGrads(c, 1);
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numBytes).toBe(bytesBefore);
  });
});
