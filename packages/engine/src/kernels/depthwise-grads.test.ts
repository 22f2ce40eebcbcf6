/**
 * The wasm depthwise gradients against the cpu backend's own DepthwiseConv2dNativeBackprop*
 * kernels: strides, 'same'/'valid'/explicit padding, channel multipliers (tfjs's own gradient of
 * a depthwise conv refuses dilations > 1, on every backend).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initEngine } from '../backend.js';

type Case = { x: [number, number, number, number]; k: number; m: number; stride: number; dilation: number; pad: 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]] };
const CASES: Case[] = [
  { x: [2, 7, 6, 3], k: 3, m: 1, stride: 1, dilation: 1, pad: 'same' },
  { x: [2, 8, 8, 4], k: 3, m: 1, stride: 2, dilation: 1, pad: [[0, 0], [1, 1], [1, 1], [0, 0]] },
  { x: [1, 9, 7, 2], k: 5, m: 2, stride: 2, dilation: 1, pad: 'valid' },
  { x: [2, 9, 9, 3], k: 3, m: 3, stride: 1, dilation: 1, pad: 'same' },
  { x: [1, 6, 10, 2], k: 3, m: 1, stride: 1, dilation: 1, pad: [[0, 0], [2, 0], [0, 1], [0, 0]] },
];

function grads(c: Case, seed: number): { dx: Float32Array; dw: Float32Array; tensors: number } {
  return tf.tidy(() => {
    const x = tf.randomNormal(c.x, 0, 1, 'float32', seed);
    const w = tf.randomNormal([c.k, c.k, c.x[3], c.m], 0, 1, 'float32', seed + 1);
    const up = tf.randomNormal(tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad, 'NHWC', c.dilation).shape, 0, 1, 'float32', seed + 2);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad, 'NHWC', c.dilation), up));
    const [dx, dw] = tf.grads(f)([x, w]);
    return { dx: dx!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array, tensors: 0 };
  });
}

const relErr = (a: Float32Array, b: Float32Array): number => {
  let num = 0;
  let den = 0;
  a.forEach((v, i) => {
    num = Math.max(num, Math.abs(v - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  });
  return num / den;
};

describe('wasm depthwise convolution gradients', () => {
  it.each(CASES.map((c, i) => [i, c] as const))('case %i equals the cpu backend (relative error ≤ 1e-5), no tensors left', async (i, c) => {
    await initEngine({ backend: 'cpu' });
    const ref = grads(c, 10 + i);
    await initEngine({ backend: 'wasm' });
    const before = tf.memory().numTensors;
    const got = grads(c, 10 + i);
    expect(tf.memory().numTensors).toBe(before);
    expect(relErr(got.dx, ref.dx)).toBeLessThanOrEqual(1e-5);
    expect(relErr(got.dw, ref.dw)).toBeLessThanOrEqual(1e-5);
  });
});
