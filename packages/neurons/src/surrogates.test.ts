import * as tf from '@tensorflow/tfjs-core';
import type { SurrogateSpecInput } from '@spikelite/schemas';
import { describe, expect, it } from 'vitest';
import { BACKENDS, uniform, useBackend, values } from '../test/helpers.js';
import {
  arctanDerivative,
  createSurrogate,
  fastSigmoidDerivative,
  heaviside,
  linearDerivative,
  rectangularDerivative,
  scalarDerivative,
  stdbDerivative,
  triangleDerivative,
} from './surrogates.js';

/** Points on a grid over [−3, 3] (including kinks at 0, ±0.5, ±1) plus random ones. */
const GRID = [...Array.from({ length: 121 }, (_, i) => -3 + i * 0.05), ...uniform(200, 7, -4, 4)];

/** Analytic ∂s/∂x written out independently of surrogates.ts (SPEC §4a, schema docs). */
const CASES: Array<{ spec: SurrogateSpecInput; analytic: (x: number, dt: number) => number }> = [
  { spec: { kind: 'linear' }, analytic: (x) => 0.3 * Math.max(0, 1 - Math.abs(x)) },
  { spec: { kind: 'linear', gamma: 1.7 }, analytic: (x) => 1.7 * Math.max(0, 1 - Math.abs(x)) },
  { spec: { kind: 'stdb' }, analytic: (_x, dt) => 0.3 * Math.exp(-0.01 * dt) },
  { spec: { kind: 'stdb', alpha: 0.8, beta: 0.5 }, analytic: (_x, dt) => 0.8 * Math.exp(-0.5 * dt) },
  { spec: { kind: 'fastSigmoid' }, analytic: (x) => 1 / (1 + 10 * Math.abs(x)) ** 2 },
  { spec: { kind: 'fastSigmoid', slope: 3 }, analytic: (x) => 1 / (1 + 3 * Math.abs(x)) ** 2 },
  { spec: { kind: 'arctan' }, analytic: (x) => 1 / (1 + (Math.PI * x) ** 2) },
  { spec: { kind: 'arctan', alpha: 5 }, analytic: (x) => 2.5 / (1 + ((Math.PI / 2) * 5 * x) ** 2) },
  { spec: { kind: 'triangle' }, analytic: (x) => Math.max(0, 1 - Math.abs(x)) },
  { spec: { kind: 'triangle', width: 2 }, analytic: (x) => Math.max(0, 1 - Math.abs(x) / 2) },
  { spec: { kind: 'rectangular' }, analytic: (x) => (Math.abs(x) < 0.5 ? 1 : 0) },
  { spec: { kind: 'rectangular', width: 0.2 }, analytic: (x) => (Math.abs(x) < 0.1 ? 1 : 0) },
  { spec: { kind: 'straightThrough' }, analytic: () => 1 },
];

describe.each(BACKENDS)('surrogates on %s', (backend) => {
  it.each(CASES.map((c) => [JSON.stringify(c.spec), c] as const))(
    '%s: gradient through the customGrad spike equals the analytic derivative',
    async (_name, c) => {
      await useBackend(backend);
      const sg = createSurrogate(c.spec);
      // Keep x away from the rectangular window's jump points by float rounding only.
      const xs = Float32Array.from(GRID);
      const dts = Float32Array.from(GRID, (_, i) => (i % 7 === 0 ? 999 : i % 23));
      const r = uniform(xs.length, 11, 0.5, 2); // upstream gradient, to check it is multiplied in
      const [got, spikes, deriv] = tf.tidy(() => {
        const x = tf.tensor1d(xs);
        const dt = tf.tensor1d(dts);
        const dy = tf.tensor1d(r);
        const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(sg.spike(a, sg.needsSpikeTime ? dt : undefined), dy)))(x);
        return [values(g), values(sg.spike(x, sg.needsSpikeTime ? dt : undefined)), values(sg.derivative(x, dt))];
      });
      for (let i = 0; i < xs.length; i++) {
        const x = xs[i]!;
        const want = c.analytic(x, dts[i]!);
        expect(got[i]).toBeCloseTo(r[i]! * want, 5);
        expect(deriv[i]).toBeCloseTo(want, 5);
        expect(sg.derivativeAt(x, dts[i]!)).toBeCloseTo(want, 6);
        expect(spikes[i]).toBe(x > 0 ? 1 : 0);
      }
      // The derivative is non-trivial on this grid (a constant-zero gradient would pass nothing).
      expect(Math.max(...got.map(Math.abs))).toBeGreaterThan(0.1);
    },
  );

  it('the Heaviside step is strict: H(0) = 0, H(tiny) = 1', async () => {
    await useBackend(backend);
    const sg = createSurrogate({ kind: 'linear' });
    const got = tf.tidy(() => values(sg.spike(tf.tensor1d([-1, -1e-7, 0, -0, 1e-7, 1e-30, 5]))));
    expect(got).toEqual([0, 0, 0, 0, 1, 1, 1]);
    expect(tf.tidy(() => values(heaviside(tf.tensor1d([0, 1e-38, -1e-38]))))).toEqual([0, 1, 0]);
  });

  it('linear on z = u/θ − 1 gives ∂s/∂u = γ·max(0,1−|z|)/θ and ∂s/∂θ = −γ·max(0,1−|z|)·u/θ²', async () => {
    await useBackend(backend);
    const sg = createSurrogate({ kind: 'linear', gamma: 0.3 });
    const us = uniform(50, 3, -0.5, 3);
    const theta = 1.25;
    const [du, dth] = tf.tidy(() => {
      const u = tf.tensor1d(us);
      const th = tf.scalar(theta);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(sg.spike(sg.input(a, b))))([u, th]);
      return [values(g[0]!), values(g[1]!)];
    });
    let dthWant = 0;
    us.forEach((u, i) => {
      const z = u / theta - 1;
      const f = 0.3 * Math.max(0, 1 - Math.abs(z));
      expect(du[i]).toBeCloseTo(f / theta, 6);
      dthWant += (-f * u) / theta ** 2;
    });
    expect(dth[0]).toBeCloseTo(dthWant, 4);
    expect(Math.abs(dthWant)).toBeGreaterThan(0.1);
  });

  it('difference-domain surrogates act on u − θ: ∂s/∂θ = −∂s/∂u', async () => {
    await useBackend(backend);
    const sg = createSurrogate({ kind: 'fastSigmoid', slope: 2 });
    expect(sg.domain).toBe('difference');
    const [du, dth] = tf.tidy(() => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(sg.spike(sg.input(a, b))))([tf.tensor1d([0.7]), tf.scalar(0.5)]);
      return [values(g[0]!), values(g[1]!)];
    });
    expect(du[0]).toBeCloseTo(1 / (1 + 2 * 0.2) ** 2, 6);
    expect(dth[0]).toBeCloseTo(-du[0]!, 6);
  });
});

describe('plain derivative functions', () => {
  it('match their formulas at sample points', () => {
    expect(linearDerivative(0.25, { kind: 'linear', gamma: 0.3 })).toBeCloseTo(0.225, 12);
    expect(linearDerivative(-1.5, { kind: 'linear', gamma: 0.3 })).toBe(0);
    expect(stdbDerivative(3, { kind: 'stdb', alpha: 0.3, beta: 0.01 }, 10)).toBeCloseTo(0.3 * Math.exp(-0.1), 12);
    expect(fastSigmoidDerivative(-0.5, { kind: 'fastSigmoid', slope: 10 })).toBeCloseTo(1 / 36, 12);
    expect(arctanDerivative(0, { kind: 'arctan', alpha: 2 })).toBe(1);
    expect(triangleDerivative(0.5, { kind: 'triangle', width: 1 })).toBe(0.5);
    expect(rectangularDerivative(0.5, { kind: 'rectangular', width: 1 })).toBe(0);
    expect(rectangularDerivative(0.49, { kind: 'rectangular', width: 1 })).toBe(1);
  });

  it('scalarDerivative (used by the fused kernel) equals derivativeAt; stdb has none', () => {
    for (const c of CASES) {
      const sg = createSurrogate(c.spec);
      if (sg.needsSpikeTime) {
        expect(() => scalarDerivative(sg.spec)).toThrow(/spike times/);
        continue;
      }
      const f = scalarDerivative(sg.spec);
      for (const x of GRID) expect(f(x)).toBeCloseTo(sg.derivativeAt(x), 12);
    }
  });

  it('rejects a bad spec with the field named', () => {
    expect(() => createSurrogate({ kind: 'linear', gamma: -1 } as SurrogateSpecInput)).toThrow(/gamma/);
    expect(() => createSurrogate({ kind: 'nope' } as unknown as SurrogateSpecInput)).toThrow(/kind/);
  });
});
