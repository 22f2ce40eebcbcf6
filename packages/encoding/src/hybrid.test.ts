import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '@spikelite/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEncoder } from './encoder.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

const XS = [1, 0.75, 0.5, 0.2, 0];
const image = (): tf.Tensor => tf.tensor4d(XS, [1, 1, XS.length, 1]);
const read = (t: tf.Tensor): number[] => {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
};

describe('hybrid encoding', () => {
  it('step 0 is the analog image, later steps are the temporal code', () => {
    const T = 5;
    const hybrid = createEncoder({ kind: 'hybrid' }, { timesteps: T });
    const temporal = createEncoder({ kind: 'temporal' }, { timesteps: T });
    const x = image();
    expect(read(hybrid.encode(x, 0))).toEqual(read(tf.clone(x)));
    for (let t = 1; t < T; t++) expect(read(hybrid.encode(x, t))).toEqual(read(temporal.encode(x, t)));
    // hand-worked: 1 → step 1, 0.75 → 2, 0.5 → 3, 0.2 → 4, 0 never
    expect(read(hybrid.encode(x, 1))).toEqual([1, 0, 0, 0, 0]);
    expect(read(hybrid.encode(x, 3))).toEqual([0, 0, 1, 0, 0]);
    x.dispose();
  });

  it('analogSteps = 2 with tMin = 2: two analog steps, then spikes from step 2', () => {
    const T = 6;
    const enc = createEncoder({ kind: 'hybrid', analogSteps: 2, temporal: { tMin: 2 } }, { timesteps: T });
    const x = image();
    const all = read(enc.encodeAll(x));
    const step = (t: number): number[] => all.slice(t * XS.length, (t + 1) * XS.length);
    expect(step(0)).toEqual(step(1));
    expect(step(1)).toEqual(XS.map((v) => Math.fround(v)));
    // t = 2 + floor((1 − x)·4): 1 → 2, 0.75 → 3, 0.5 → 4, 0.2 → 5
    expect(step(2)).toEqual([1, 0, 0, 0, 0]);
    expect(step(3)).toEqual([0, 1, 0, 0, 0]);
    expect(step(5)).toEqual([0, 0, 0, 1, 0]);
    expect([0, 1, 2, 3, 4, 5].map((t) => enc.isAnalog(t))).toEqual([true, true, false, false, false, false]);
    x.dispose();
  });

  it('normalisation applies to the analog steps only', () => {
    const enc = createEncoder({ kind: 'hybrid' }, { timesteps: 5, normalization: { mean: [0.5], std: [0.25] } });
    const x = image();
    expect(read(enc.encode(x, 0))).toEqual(XS.map((v) => Math.fround((Math.fround(v) - 0.5) / 0.25)));
    expect(read(enc.encode(x, 1))).toEqual([1, 0, 0, 0, 0]);
    x.dispose();
  });

  it('the schema rejects tMin < analogSteps', () => {
    expect(() => createEncoder({ kind: 'hybrid', analogSteps: 2, temporal: { tMin: 1 } }, { timesteps: 5 })).toThrow(/temporal\.tMin/);
  });
});
