import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../backend.js';
import { createRng } from '../rng.js';

function rand(shape: number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rng.next() * 2 - 1), shape);
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

/** Run `f` on cpu and on wasm (with spikelite's kernels) and return both results. */
async function onBoth(f: () => tf.Tensor): Promise<[Float32Array, Float32Array]> {
  await tf.setBackend('cpu');
  const ref = tf.tidy(f).dataSync() as Float32Array;
  await tf.setBackend('wasm');
  const got = tf.tidy(f).dataSync() as Float32Array;
  return [got, ref];
}

beforeAll(async () => {
  const info = await initEngine({ backend: 'wasm' });
  expect(info.kernels).toContain('BatchMatMul');
  expect(info.kernels).toContain('AvgPoolGrad');
});

describe('wasm BatchMatMul with transposes', () => {
  const cases: Array<[number[], number[], boolean, boolean]> = [
    [[5, 7], [7, 3], false, false],
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[2, 7, 5], [2, 3, 7], true, true],
    [[3, 4, 6], [3, 4, 5], true, false],
  ];
  it.each(cases)('%j x %j (tA=%s, tB=%s) equals cpu', async (sa, sb, ta, tb) => {
    const [got, ref] = await onBoth(() => tf.matMul(rand(sa, 1), rand(sb, 2), ta, tb));
    expect(maxRelErr(got, ref)).toBeLessThan(1e-5);
  });

  it('dense-layer gradients equal cpu', async () => {
    const grads = () => {
      const [dx, dw] = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), rand([6, 4], 3))))([rand([6, 9], 4), rand([9, 4], 5)]);
      return tf.concat([tf.reshape(dx!, [-1]), tf.reshape(dw!, [-1])]);
    };
    const [got, ref] = await onBoth(grads);
    expect(maxRelErr(got, ref)).toBeLessThan(1e-5);
  });
});

describe('wasm AvgPoolGrad', () => {
  const cases: Array<[number[], number, number, 'valid' | 'same']> = [
    [[2, 8, 8, 3], 2, 2, 'valid'], // tiled: the fast path
    [[1, 6, 9, 2], 3, 3, 'valid'], // tiled, pool 3
    [[2, 7, 7, 2], 2, 2, 'valid'], // odd size: falls back
    [[2, 8, 8, 1], 3, 2, 'same'], // overlapping: falls back
  ];
  it.each(cases)('%j pool %i stride %i %s equals cpu', async (shape, k, s, pad) => {
    const outShape = tf.tidy(() => tf.avgPool(rand(shape, 1) as tf.Tensor4D, k, s, pad).shape);
    const [got, ref] = await onBoth(() =>
      tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(x as tf.Tensor4D, k, s, pad), rand(outShape, 7))))(rand(shape, 1)),
    );
    expect(maxRelErr(got, ref)).toBeLessThan(1e-5);
  });

  it('does not leak', async () => {
    await tf.setBackend('wasm');
    const run = () => tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid')))(rand([2, 8, 8, 3], 1))).dispose();
    run();
    const before = tf.memory();
    for (let i = 0; i < 3; i++) run();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });
});
