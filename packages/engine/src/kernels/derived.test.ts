import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../backend.js';
import { derived, derivedCacheSize } from './derived.js';
import { WasmOps } from './wasm-ops.js';

describe('wasm: shared Identity and the derived-weight cache', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'wasm' });
  });

  it('tf.clone shares data on wasm, values stay right after the original is freed, nothing leaks', () => {
    const before = tf.memory();
    const a = tf.tensor([1, 2, 3, 4]);
    const b = tf.clone(a);
    const backend = tf.backend() as unknown as { refCount(id: object): number };
    expect(backend.refCount(a.dataId)).toBe(2);
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3, 4]);
    b.dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });

  it('gradients through ops that save their inputs are unchanged', () => {
    const x = tf.tensor([0.5, -1, 2]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.exp(v), v)))(x);
    // d/dv (v·eᵛ) = eᵛ(1 + v)
    const want = [0.5, -1, 2].map((v) => Math.exp(v) * (1 + v));
    Array.from(g.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    tf.dispose([x, g]);
  });

  it('derives once per source data and frees the entry when the source is freed', () => {
    const w = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const backend = tf.backend();
    const info = { dataId: w.dataId, shape: w.shape, dtype: w.dtype } as tf.TensorInfo;
    let made = 0;
    const make = () => {
      made++;
      return new WasmOps(backend).transpose(info, [1, 0]);
    };
    const t1 = derived(backend, info, 'T', make);
    const clone = tf.clone(w); // the tape's saved copy shares the data, so it hits the cache
    const t2 = derived(backend, { dataId: clone.dataId, shape: clone.shape, dtype: clone.dtype } as tf.TensorInfo, 'T', make);
    expect(t2).toBe(t1);
    expect(made).toBe(1);
    expect(Array.from(backend.readSync(t1.dataId) as Float32Array)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(derivedCacheSize()).toBeGreaterThanOrEqual(1);
    const size = derivedCacheSize();
    w.dispose();
    expect(derivedCacheSize()).toBe(size); // the clone still holds the data
    clone.dispose();
    expect(derivedCacheSize()).toBe(size - 1);
  });

  it('remembers a Conv2D of the same data: same values, no second computation, engine bookkeeping exact', () => {
    const before = tf.memory() as tf.MemoryInfo & { numDataBuffers: number };
    const x = tf.randomNormal([2, 5, 5, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
    const a = tf.conv2d(x, w, 1, 'same');
    const xClone = tf.clone(x); // what the direct encoder returns at every step
    const b = tf.conv2d(xClone, w, 1, 'same');
    expect(b.dataId).toBe(a.dataId);
    const c = tf.conv2d(x, w, 1, 'valid'); // other attributes: computed
    expect(c.dataId).not.toBe(a.dataId);
    const want = Array.from(a.dataSync());
    tf.dispose([a, c]);
    expect(Array.from(b.dataSync())).toEqual(want);
    tf.dispose([b, xClone, x]);
    w.dispose();
    // Dead entries go at the next call (here: the size query prunes).
    expect(derivedCacheSize()).toBe(0);
    const after = tf.memory() as tf.MemoryInfo & { numDataBuffers: number };
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    expect((tf.memory() as tf.MemoryInfo & { numDataBuffers: number }).numDataBuffers).toBe(before.numDataBuffers);
  });
});
