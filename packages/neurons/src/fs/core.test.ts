import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng, initEngine } from '@spikelite/engine';
import { FsNeuron } from '@spikelite/schemas';
import type { FsCoefficients } from '@spikelite/schemas';
import {
  FS_SIGMOID_COEFFICIENTS,
  FS_SILU_COEFFICIENTS,
  FsLayer,
  fsCoefficientsFor,
  fsFitGrid,
  fsForward,
  fsForwardArray,
  fsNeuron,
  fsReluCoefficients,
  fsScalar,
} from './index.js';

const ALPHA = 25;
const K = 10;
const Q = ALPHA / 2 ** K;
const MAX = ALPHA * (1 - 2 ** -K);

/** SPEC §3g.1: floor(clip(x, 0, 25·(1 − 2^−10))/25·2^10)·25/2^10, in float64. */
const quantizer = (x: number): number => (Math.floor((Math.min(Math.max(x, 0), MAX) / ALPHA) * 2 ** K) * ALPHA) / 2 ** K;
const popcount = (n: number): number => n.toString(2).split('').filter((b) => b === '1').length;

function float32Neighbours(x: number): number[] {
  if (x === 0) return [-1.401298464324817e-45, 1.401298464324817e-45];
  const f = new Float32Array([x]);
  const i = new Int32Array(f.buffer);
  const out: number[] = [];
  for (const step of [-1, 1]) {
    const g = new Float32Array(1);
    new Int32Array(g.buffer)[0] = i[0]! + (x > 0 ? step : -step);
    out.push(g[0]!);
  }
  return out;
}

/** Grid points, their float32 neighbours, random values, negatives and values above the range. */
function reluTestPoints(): number[] {
  const pts: number[] = [0, -0, -1e-30, 1e-30, -3, -1000, 25, 30, 1e6, 1e30, MAX, Q, Q / 2];
  for (let k = -3; k <= 2 ** K + 3; k++) {
    const g = Math.fround(k * Q);
    pts.push(g, ...float32Neighbours(g));
  }
  const rng = createRng(7);
  for (let i = 0; i < 3000; i++) pts.push(Math.fround(-10 + 50 * rng.next()));
  return pts;
}

const silu = (x: number) => x / (1 + Math.exp(-x));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function gridMse(c: FsCoefficients, f: (x: number) => number, lo: number, hi: number) {
  const x = fsFitGrid(lo, hi, 20001);
  const { output, spikeCount } = fsForwardArray(x, c, { float32: true });
  let se = 0;
  let spikes = 0;
  for (let i = 0; i < x.length; i++) {
    se += (output[i]! - f(x[i]!)) ** 2;
    spikes += spikeCount[i]!;
  }
  return { mse: se / x.length, spikesPerNeuron: spikes / x.length };
}

describe('FS neuron, scalar form', () => {
  it('FS-ReLU K=10 is exactly the 10-bit floor quantizer (SPEC §3g.1), float64 and float32', () => {
    const c = fsReluCoefficients();
    expect(c.h).toHaveLength(10);
    expect(c.T[0]).toBe(12.5);
    expect(c.T[9]).toBe(Q);
    for (const x of reluTestPoints()) {
      const want = quantizer(x);
      expect(fsScalar(x, c).output, `x = ${x}`).toBe(want);
      expect(fsScalar(x, c, { float32: true }).output, `x = ${x} (float32)`).toBe(want);
    }
  });

  it('FS-ReLU spikes per neuron = popcount of the quantized level (SPEC §3a)', () => {
    const c = fsReluCoefficients();
    for (const x of reluTestPoints()) {
      const level = Math.round(quantizer(x) / Q);
      expect(fsScalar(x, c).spikes, `x = ${x}`).toBe(popcount(level));
    }
    // all ten bits above the range, none for negatives
    expect(fsScalar(1000, c).spikes).toBe(10);
    expect(fsScalar(-1000, c).spikes).toBe(0);
  });

  it('published SiLU (K=16) and sigmoid (K=12) sets reach low MSE within mean ± 3σ (SPEC §3g.4)', () => {
    // ResNet50 ImageNet input statistics from the FS README (SPEC §3d): mean −0.359, std 1.462.
    const r50: [number, number] = [-0.359 - 3 * 1.462, -0.359 + 3 * 1.462];
    const results = {
      silu: { wide: gridMse(FS_SILU_COEFFICIENTS, silu, -6, 6), r50: gridMse(FS_SILU_COEFFICIENTS, silu, ...r50) },
      sigmoid: { wide: gridMse(FS_SIGMOID_COEFFICIENTS, sigmoid, -6, 6), r50: gridMse(FS_SIGMOID_COEFFICIENTS, sigmoid, ...r50) },
    };
    console.log('published FS sets, MSE on a grid:', JSON.stringify(results));
    // Measured: SiLU 2.85e-3 on [−6, 6], 2.58e-3 on ±3σ; sigmoid 2.2e-4 and 2.8e-4. The SPEC gives
    // no MSE; the bounds keep ~40 % headroom and are far below the targets' variances (~2.6 and
    // ~0.14 on [−6, 6]). With the other index convention (h shifted by one step) the MSE is 0.27
    // and 0.04: the stored sets belong to the fs_coding.py convention used here.
    expect(results.silu.wide.mse).toBeLessThan(4e-3);
    expect(results.silu.r50.mse).toBeLessThan(4e-3);
    expect(results.sigmoid.wide.mse).toBeLessThan(4e-4);
    expect(results.sigmoid.r50.mse).toBeLessThan(4e-4);
    // SPEC §3g.3: spikes per neuron stay low (few-spike coding): under K/3 here.
    expect(results.silu.r50.spikesPerNeuron).toBeLessThan(16 / 3);
    expect(results.sigmoid.r50.spikesPerNeuron).toBeLessThan(12 / 3);
  });

  it('resolves coefficients from specs and rejects bad ones', () => {
    expect(fsCoefficientsFor(FsNeuron.parse({ kind: 'fs', activation: 'relu', K: 4 })).T).toEqual([12.5, 6.25, 3.125, 1.5625]);
    expect(fsCoefficientsFor(FsNeuron.parse({ kind: 'fs', activation: 'silu' }))).toBe(FS_SILU_COEFFICIENTS);
    expect(fsCoefficientsFor(FsNeuron.parse({ kind: 'fs', activation: 'sigmoid' })).h).toHaveLength(12);
    expect(() => fsCoefficientsFor({ activation: 'custom', coefficients: undefined })).toThrow(/custom.*needs coefficients/);
    expect(() => fsCoefficientsFor({ activation: 'silu', coefficients: undefined, K: 8 })).toThrow(/only for K = 16/);
    expect(() => fsScalar(1, { h: [1, 2], d: [1], T: [1, 2] })).toThrow(/d has 1 values/);
    expect(() => fsReluCoefficients(0)).toThrow(/positive integer/);
  });
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`FS neuron, tensor form (${backend})`, () => {
    beforeAll(async () => {
      await initEngine({ backend });
    });

    const sets: Array<[string, FsCoefficients, number]> = [
      ['relu', fsReluCoefficients(), 30],
      ['silu', FS_SILU_COEFFICIENTS, 8],
      ['sigmoid', FS_SIGMOID_COEFFICIENTS, 8],
    ];
    for (const [name, coeffs, spread] of sets) {
      it(`fsForward equals the float32 scalar form bit for bit (${name})`, () => {
        const rng = createRng(3);
        const values = Float32Array.from({ length: 2 * 5 * 5 * 3 }, () => (rng.next() * 2 - 1) * spread);
        if (name === 'relu') values.set([0, Q, 12.5, MAX, 25, -0.5]);
        const want = fsForwardArray(values, coeffs, { float32: true });
        const before = tf.memory().numTensors;
        const x = tf.tensor4d(values, [2, 5, 5, 3]);
        const { output, spikeCount } = fsForward(x, coeffs);
        expect(output.shape).toEqual([2, 5, 5, 3]);
        expect(Array.from(output.dataSync())).toEqual(Array.from(want.output));
        expect(Array.from(spikeCount.dataSync())).toEqual(Array.from(want.spikeCount));
        tf.dispose([x, output, spikeCount]);
        expect(tf.memory().numTensors).toBe(before);
      });
    }

    it('FsLayer from the registry definition runs K internal steps on [N, F] inputs', () => {
      const spec = FsNeuron.parse({ kind: 'fs', activation: 'relu' });
      const layer = fsNeuron.create(spec, { name: 'fs1', channels: 4, timesteps: 1 });
      expect(layer).toBeInstanceOf(FsLayer);
      if (layer.mode !== 'block') throw new Error('expected a block layer');
      expect(layer.steps).toBe(10);
      expect(layer.variables).toHaveLength(0);
      const values = [-1, 0, 0.1, 3.3, 12.5, 24.99, 25, 100];
      const x = tf.tensor2d(values, [2, 4]);
      const { output, spikeCount } = layer.forward(x);
      expect(Array.from(output.dataSync())).toEqual(values.map((v) => quantizer(Math.fround(v))));
      expect(Array.from(spikeCount.dataSync())).toEqual(values.map((v) => popcount(Math.round(quantizer(Math.fround(v)) / Q))));
      tf.dispose([x, output, spikeCount]);
      layer.dispose();
      expect(() => fsNeuron.create({ kind: 'fs', activation: 'custom', K: 3, surrogate: { kind: 'triangle', width: 1 } }, { name: 'c', channels: 1, timesteps: 1 })).toThrow(/custom/);
    });

    it('gradient in x follows the surrogate: small far from the thresholds, larger near them', () => {
      const coeffs = FS_SIGMOID_COEFFICIENTS;
      const x = tf.tensor1d([-40, -0.01, 0.5, 2, 40]);
      const g = tf.grad((a: tf.Tensor) => tf.sum(fsForward(a, coeffs).output))(x);
      const gv = Array.from(g.dataSync());
      // |v_s| → 1 for |v| ≫ |T|, where the triangle surrogate max(0, 1 − |v_s|) fades
      const near = Math.max(...gv.slice(1, 4).map(Math.abs));
      expect(gv.every(Number.isFinite)).toBe(true);
      expect(near).toBeGreaterThan(0.05);
      expect(Math.abs(gv[0]!)).toBeLessThan(near / 20);
      expect(Math.abs(gv[4]!)).toBeLessThan(near / 20);
      tf.dispose([x, g]);
    });
  });
}

afterAll(() => {
  tf.disposeVariables();
});
