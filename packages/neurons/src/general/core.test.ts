import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, initEngine } from '@spikelite/engine';
import { GeneralNeuron } from '@spikelite/schemas';
import { GeneralLayer, generalMembrane, generalNeuron, generalStep, generalWindowGrid, sincosProjection } from './index.js';
import type { GeneralParams } from './index.js';

const P = (a: number, b: number): number => 2 * Math.sin((Math.PI / 4) * a * Math.cos((Math.PI / 4) * b));
const DEFAULTS: GeneralParams = {
  decay: 0.4,
  threshold: 0.5,
  projection: 'sincos',
  windows: 4,
  surrogate: { kind: 'rectangular', width: 1 },
};

/** The window recurrence on aligned window values p[k] (float64): u_1..u_n. */
function refWindows(p: number[], decay = 0.4): number[] {
  const n = p.length;
  const u: number[] = [];
  for (let k = 0; k < n; k++) {
    const uIn = k === 0 ? P(p[0]!, p[n > 1 ? 1 : 0]!) : k === 1 ? P(u[0]!, p[1]!) : P(p[k]!, u[k - 1]!);
    u.push(p[k]! + decay * uIn);
  }
  return u;
}

/** Reference membrane for an [N, H, W, C] map with 2 × 2 quadrants, zero-padded to even H, W. */
function refGrid(x: Float32Array, [N, H, W, C]: readonly [number, number, number, number]): Float64Array {
  const hh = Math.ceil(H / 2);
  const ww = Math.ceil(W / 2);
  const at = (n: number, h: number, w: number, c: number) => (h < H && w < W ? x[((n * H + h) * W + w) * C + c]! : 0);
  const out = new Float64Array(x.length);
  for (let n = 0; n < N; n++)
    for (let i = 0; i < hh; i++)
      for (let j = 0; j < ww; j++)
        for (let c = 0; c < C; c++) {
          const pos: Array<[number, number]> = [
            [i, j],
            [i, j + ww],
            [i + hh, j],
            [i + hh, j + ww],
          ];
          const u = refWindows(pos.map(([h, w]) => at(n, h, w, c)));
          pos.forEach(([h, w], k) => {
            if (h < H && w < W) out[((n * H + h) * W + w) * C + c] = u[k]!;
          });
        }
  return out;
}

/** Reference membrane for [N, F] with n contiguous groups, zero-padded. */
function refFlat(x: Float32Array, [N, F]: readonly [number, number], n: number): Float64Array {
  const f = Math.ceil(F / n);
  const out = new Float64Array(x.length);
  for (let b = 0; b < N; b++)
    for (let j = 0; j < f; j++) {
      const idx = Array.from({ length: n }, (_, k) => k * f + j);
      const u = refWindows(idx.map((i) => (i < F ? x[b * F + i]! : 0)));
      idx.forEach((i, k) => {
        if (i < F) out[b * F + i] = u[k]!;
      });
    }
  return out;
}

function randomValues(n: number, seed: number, lo: number, hi: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.next());
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), `index ${i}: ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(tol);
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`general-SNN neuron (${backend})`, () => {
    beforeAll(async () => {
      await initEngine({ backend });
    });

    it('hand-worked 2×2 map, one channel: g1..g4 in sequence', () => {
      // I = [[1, 0], [2, −1]]: g1 = 1 (top-left), g2 = 0, g3 = 2, g4 = −1; decay 0.4, V_th 0.5.
      //   g1: u_in = P(g1, g2)  = 2·sin(π/4·1·cos 0)           = √2      → u1 = 1 + 0.4·√2     = 1.565685
      //   g2: u_in = P(g1′, g2) = 2·sin(π/4·1.565685)          = 1.884768 → u2 = 0 + 0.4·1.884768 = 0.753907
      //   g3: u_in = P(g3, g2′) = 2·sin(π/4·2·cos(π/4·0.753907)) = 1.928916 → u3 = 2.771567
      //   g4: u_in = P(g4, g3′) = 2·sin(π/4·(−1)·cos(π/4·2.771567)) = 0.865141 → u4 = −0.653943
      // Spikes: 1, 1 (an input of 0 fires through the projection), 1, 0.
      const x = tf.tensor4d([1, 0, 2, -1], [1, 2, 2, 1]);
      const { u, uIn } = generalMembrane(x, null, DEFAULTS);
      expectClose(uIn.dataSync(), [Math.SQRT2, 1.8847679155548478, 1.928916435047617, 0.8651413086340553], 1e-5);
      expectClose(u.dataSync(), [1.565685424949238, 0.7539071662219392, 2.771566574019047, -0.6539434765463779], 1e-5);
      const { spikes, state } = generalStep(x, null, DEFAULTS);
      expect(Array.from(spikes.dataSync())).toEqual([1, 1, 1, 0]);
      expectClose(state.u.dataSync(), [0, 0, 0, -0.6539434765463779], 1e-5); // hard reset
      // without the projection: a plain threshold unit on I
      const none = generalStep(x, null, { ...DEFAULTS, projection: 'none' });
      expect(Array.from(none.spikes.dataSync())).toEqual([1, 0, 1, 0]);
      tf.dispose([x, u, uIn, spikes, state.u, none.spikes, none.state.u]);
    });

    it('matches a float64 reference on maps with odd sizes (zero padding) and on flat inputs', () => {
      const shapes: Array<[number, number, number, number]> = [
        [2, 4, 6, 3],
        [1, 3, 5, 2],
        [2, 1, 1, 2],
      ];
      for (const shape of shapes) {
        const vals = randomValues(shape.reduce((a, b) => a * b, 1), 5, -3, 3);
        const x = tf.tensor4d(vals, shape);
        const { u, uIn } = generalMembrane(x, null, DEFAULTS);
        expect(u.shape).toEqual(shape);
        expectClose(u.dataSync(), refGrid(vals, shape), 1e-4);
        tf.dispose([x, u, uIn]);
      }
      for (const [shape, n] of [
        [[3, 10], 4],
        [[2, 8], 4],
        [[2, 7], 3],
        [[1, 5], 1],
      ] as const) {
        const vals = randomValues(shape[0] * shape[1], 9, -3, 3);
        const x = tf.tensor2d(vals, [...shape]);
        const { u, uIn } = generalMembrane(x, null, { ...DEFAULTS, windows: n });
        expectClose(u.dataSync(), refFlat(vals, shape, n), 1e-4);
        tf.dispose([x, u, uIn]);
      }
    });

    it("u_in stays within [−2, 2] for any input; projection 'none' gives u_in = 0", () => {
      const vals = randomValues(4 * 6 * 6 * 2, 13, -100, 100);
      const x = tf.tensor4d(vals, [4, 6, 6, 2]);
      const { uIn } = generalMembrane(x, null, DEFAULTS);
      const v = uIn.dataSync();
      expect(Math.max(...v)).toBeLessThanOrEqual(2);
      expect(Math.min(...v)).toBeGreaterThanOrEqual(-2);
      expect(Math.max(...v)).toBeGreaterThan(1.9); // the range is used
      const p = sincosProjection(tf.tensor1d([1, -1, 0]), tf.tensor1d([0, 0, 5]));
      expectClose(p.dataSync(), [Math.SQRT2, -Math.SQRT2, 0], 1e-6);
      const none = generalMembrane(x, null, { ...DEFAULTS, projection: 'none' });
      expect(Math.max(...none.uIn.dataSync().map(Math.abs))).toBe(0);
      expectClose(none.u.dataSync(), vals, 0);
      tf.dispose([x, uIn, p, none.u, none.uIn]);
    });

    it("projection 'none' is a plain threshold unit at T = 1 and a hard-reset LIF for T > 1", () => {
      const layer = generalNeuron.create(GeneralNeuron.parse({ kind: 'general', projection: 'none' }), { name: 'g', channels: 3, timesteps: 2 });
      expect(layer).toBeInstanceOf(GeneralLayer);
      if (layer.mode !== 'step') throw new Error('expected a step layer');
      const i1 = [0.2, 0.5, 0.51, 3, -1, 0.3];
      const i2 = [0.2, 0.3, 0.4, 0.1, 2, 0.4];
      const x1 = tf.tensor2d(i1, [2, 3]);
      const x2 = tf.tensor2d(i2, [2, 3]);
      const s0 = layer.initState([2, 3]);
      const r1 = layer.step(x1, s0, 0);
      expect(Array.from(r1.spikes.dataSync())).toEqual(i1.map((v) => (v > 0.5 ? 1 : 0)));
      const r2 = layer.step(x2, r1.state, 1);
      const u2 = i1.map((v, k) => 0.4 * v * (v > 0.5 ? 0 : 1) + i2[k]!);
      expect(Array.from(r2.spikes.dataSync())).toEqual(u2.map((v) => (v > 0.5 ? 1 : 0)));
      expectClose(r2.state['u']!.dataSync(), u2.map((v) => (v > 0.5 ? 0 : v)), 1e-6);
      tf.dispose([x1, x2, s0['u']!, r1.spikes, r1.state['u']!, r2.spikes, r2.state['u']!]);
    });

    it('runs T > 1 with the projection on conv maps without leaking tensors', () => {
      const layer = new GeneralLayer(GeneralNeuron.parse({ kind: 'general' }), 'g');
      const x = tf.tensor4d(randomValues(2 * 4 * 4 * 3, 17, -1, 2), [2, 4, 4, 3]);
      const before = tf.memory().numTensors;
      let state = layer.initState([2, 4, 4, 3]);
      let total = 0;
      for (let t = 0; t < 3; t++) {
        const r = layer.step(x, state, t);
        const s = r.spikes.dataSync();
        const u = r.state['u']!.dataSync();
        for (const v of s) total += v;
        // hard reset: a neuron that fired carries 0; every value is finite
        s.forEach((sv, i) => expect(sv === 1 ? u[i] === 0 : Number.isFinite(u[i])).toBe(true));
        tf.dispose([...Object.values(state), r.spikes]);
        state = r.state;
        expect(state['u']!.shape).toEqual([2, 4, 4, 3]);
      }
      expect(total).toBeGreaterThan(0);
      tf.dispose(Object.values(state));
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
    });
  });
}

describe('general-SNN neuron gradients (cpu)', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'cpu' });
  });

  it('∂Σw·s/∂I equals Σ_k w_k·1[|u_k − V_th| < 0.5]·∂u_k/∂I (float64 finite differences of the smooth u)', () => {
    const rng = createRng(21);
    let active = 0;
    for (let trial = 0; trial < 6; trial++) {
      const I = Array.from({ length: 4 }, () => -0.4 + 1.4 * rng.next());
      const w = Array.from({ length: 4 }, () => rng.next() * 2 - 1);
      const x = tf.tensor4d(I, [1, 2, 2, 1]);
      const wt = tf.tensor4d(w, [1, 2, 2, 1]);
      const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(wt, generalStep(a, null, DEFAULTS).spikes)))(x);
      const u0 = refWindows(I);
      const eps = 1e-6;
      const want = I.map((_, j) => {
        const up = refWindows(I.map((v, k) => (k === j ? v + eps : v)));
        const dn = refWindows(I.map((v, k) => (k === j ? v - eps : v)));
        return u0.reduce((acc, uk, k) => acc + w[k]! * (Math.abs(uk - 0.5) < 0.5 ? 1 : 0) * ((up[k]! - dn[k]!) / (2 * eps)), 0);
      });
      expectClose(g.dataSync(), want, 1e-4);
      active += want.filter((v) => Math.abs(v) > 1e-3).length;
      tf.dispose([x, wt, g]);
    }
    expect(active).toBeGreaterThan(8); // the surrogate window and the projection's cross terms are exercised
  });

  it("'none': the gradient is the rectangular window 1[|I − 0.5| < 0.5]", () => {
    const I = [-0.2, 0.01, 0.3, 0.5, 0.99, 1.2];
    const x = tf.tensor2d(I, [1, 6]);
    const g = tf.grad((a: tf.Tensor) => tf.sum(generalStep(a, null, { ...DEFAULTS, projection: 'none' }).spikes))(x);
    expect(Array.from(g.dataSync())).toEqual(I.map((v) => (Math.abs(v - 0.5) < 0.5 ? 1 : 0)));
    tf.dispose([x, g]);
  });

  it('window grids and parameters', () => {
    expect(generalWindowGrid(4)).toEqual({ rows: 2, cols: 2 });
    expect(generalWindowGrid(6)).toEqual({ rows: 2, cols: 3 });
    expect(generalWindowGrid(1)).toEqual({ rows: 1, cols: 1 });
    const layer = new GeneralLayer(GeneralNeuron.parse({ kind: 'general' }), 'g');
    expect(layer.getParameter('threshold')).toEqual([0.5]);
    expect(layer.getParameter('decay')).toEqual([0.4]);
    layer.setParameter('threshold', [0.7]);
    expect(layer.getParameter('threshold')[0]).toBeCloseTo(0.7, 6); // float32
    expect(() => layer.setParameter('decay', 2)).toThrow(/decay must be in \[0, 1\]/);
    expect(() => layer.setParameter('leakage', 1)).toThrow(/unknown parameter/);
    expect(() => new GeneralLayer(GeneralNeuron.parse({ kind: 'general', surrogate: { kind: 'stdb' } }), 'g')).toThrow(/stdb/);
    layer.dispose();
  });

  it('V_th lives in a non-trainable variable: a balanced V_th survives a checkpoint (assign into the variable)', () => {
    const spec = GeneralNeuron.parse({ kind: 'general', projection: 'none' });
    const a = new GeneralLayer(spec, 'ga');
    a.setParameter('threshold', 2);
    expect(a.variables).toHaveLength(1);
    expect(a.variables[0]!.trainable).toBe(false);
    expect(Array.from(a.variables[0]!.dataSync())).toEqual([2]);
    // A fresh layer of the same spec (V_th 0.5) given the saved tensor, as the trainer's checkpoint load does.
    const b = new GeneralLayer(spec, 'gb');
    b.variables[0]!.assign(tf.tensor(a.variables[0]!.dataSync(), b.variables[0]!.shape));
    expect(b.getParameter('threshold')).toEqual([2]);
    // And the step uses it: at T = 1 with no projection, s = H(I − V_th).
    const x = tf.tensor2d([[1.5, 2.5]]);
    const { spikes } = b.step(x, b.initState(x.shape), 0);
    expect(Array.from(spikes.dataSync())).toEqual([0, 1]);
    tf.dispose([x, spikes]);
    a.dispose();
    b.dispose();
  });
});
