/** The fused LIF kernel equals the composed tfjs ops: values and every gradient. */
import * as tf from '@tensorflow/tfjs-core';
import type { SurrogateSpecInput } from '@spikelite/schemas';
import { createRng, wasmHeapMemory } from '@spikelite/engine';
import { describe, expect, it } from 'vitest';
import { BACKENDS, maxRelErr, uniform, useBackend, values } from '../test/helpers.js';
import { LIF_STEP_KERNEL, setFusedLifSimd } from './fused/lif-kernel.js';
import { lifSimdBytes, lifSimdFor } from './fused/lif-simd.js';
import { lifStep, lifUsesFused, type LifParams, type LifState } from './lif.js';
import { createSurrogate } from './surrogates.js';
import type { NeuronImplementation } from './types.js';

interface Config {
  order: 'current' | 'previous';
  reset: 'soft' | 'hard';
  detachReset: boolean;
  channel: boolean;
  surrogate: SurrogateSpecInput;
  /** false: λ = 1 with no leak tensor (IF). */
  leak: boolean;
  /** Loss uses the final potential too (else only spikes: u's last gradient is null). */
  lossOnU: boolean;
  /** [N, H, C]; default [3, 5, 4]. An odd size exercises the SIMD path's scalar tail. */
  shape?: number[];
}

const CONFIGS: Config[] = [];
for (const order of ['current', 'previous'] as const)
  for (const reset of ['soft', 'hard'] as const)
    for (const detachReset of [true, false])
      for (const channel of [false, true])
        CONFIGS.push({ order, reset, detachReset, channel, surrogate: { kind: 'linear' }, leak: true, lossOnU: true });
for (const kind of ['fastSigmoid', 'arctan', 'triangle', 'rectangular', 'straightThrough'] as const) {
  CONFIGS.push({ order: 'current', reset: 'soft', detachReset: true, channel: true, surrogate: { kind }, leak: true, lossOnU: true });
}
CONFIGS.push({ order: 'current', reset: 'soft', detachReset: true, channel: false, surrogate: { kind: 'linear', gamma: 0.7 }, leak: false, lossOnU: true });
CONFIGS.push({ order: 'current', reset: 'soft', detachReset: true, channel: false, surrogate: { kind: 'linear' }, leak: true, lossOnU: false });
CONFIGS.push({ order: 'previous', reset: 'hard', detachReset: false, channel: true, surrogate: { kind: 'arctan' }, leak: true, lossOnU: false });
// Sizes that are not a multiple of 4 (wasm SIMD handles 4 at a time, the rest in JS).
for (const order of ['current', 'previous'] as const)
  for (const reset of ['soft', 'hard'] as const)
    CONFIGS.push({ order, reset, detachReset: reset === 'soft', channel: false, surrogate: { kind: 'linear' }, leak: true, lossOnU: true, shape: [5, 7, 3] });

const T = 5;
const SHAPE = [3, 5, 4]; // [N, H, C]
const C = 4;
const size = SHAPE.reduce((a, b) => a * b, 1);

function runCase(c: Config, impl: NeuronImplementation, seed: number) {
  const surrogate = createSurrogate(c.surrogate);
  const SHAPE = c.shape ?? [3, 5, 4];
  const size = SHAPE.reduce((a, b) => a * b, 1);
  return tf.tidy(() => {
    const pShape = c.channel ? [C] : [];
    const leak = c.channel ? tf.tensor1d([0.8, 0.95, 0.5, 1]) : tf.scalar(0.85);
    // Thresholds near typical potentials so that many z land inside the surrogate's support.
    const th = c.channel ? tf.tensor1d([0.9, 0.6, 1.3, 0.75]) : tf.scalar(0.8);
    const x = tf.tensor(uniform(T * size, seed, -0.6, 1.4), [T, ...SHAPE]);
    const u0 = tf.tensor(uniform(size, seed + 1, -0.5, 1), SHAPE);
    const r = tf.tensor(uniform(T * size, seed + 2, -1, 1), [T, ...SHAPE]);
    const q = tf.tensor(uniform(size, seed + 3, -1, 1), SHAPE);
    const params = (l: tf.Tensor, t: tf.Tensor): LifParams => ({
      leak: c.leak ? l : null,
      threshold: t,
      reset: c.reset,
      order: c.order,
      detachReset: c.detachReset,
      surrogate,
      implementation: impl,
    });
    const forward = (xs: tf.Tensor, u: tf.Tensor, l: tf.Tensor, t: tf.Tensor) => {
      let state: LifState = { u };
      const steps = tf.unstack(xs, 0);
      const rs = tf.unstack(r, 0);
      const spikes: tf.Tensor[] = [];
      let loss: tf.Tensor = tf.scalar(0);
      steps.forEach((xt, i) => {
        const out = lifStep(xt, state, params(l, t), i);
        spikes.push(out.spikes);
        // Weight spikes by a step-dependent factor so that every step's gradient differs.
        loss = tf.add(loss, tf.sum(tf.mul(out.spikes, rs[i]!)));
        state = out.state as LifState;
      });
      if (c.lossOnU) loss = tf.add(loss, tf.sum(tf.mul(state.u, q)));
      return { loss, spikes: tf.stack(spikes), u: state.u };
    };
    const fwd = forward(x, u0, leak, th);
    // λ is not an input of the IF step (leak null): differentiate with respect to the rest.
    const wrt = c.leak ? [x, u0, leak, th] : [x, u0, th];
    const g = tf.grads((...a: tf.Tensor[]) =>
      (c.leak ? forward(a[0]!, a[1]!, a[2]!, a[3]!) : forward(a[0]!, a[1]!, leak, a[2]!)).loss as tf.Scalar,
    )(wrt);
    if (!c.leak) g.splice(2, 0, tf.zeros(pShape));
    expect(g[2]!.shape).toEqual(pShape);
    return {
      spikes: values(fwd.spikes),
      u: values(fwd.u),
      loss: values(fwd.loss)[0]!,
      dx: values(g[0]!),
      du0: values(g[1]!),
      dleak: values(g[2]!),
      dth: values(g[3]!),
    };
  });
}

/** The float32 number after (dir = 1) or before (dir = −1) a positive float32 x. */
function nextFloat(x: number, dir: 1 | -1): number {
  const b = new Float32Array([x]);
  const i = new Int32Array(b.buffer);
  i[0]! += dir;
  return b[0]!;
}

describe('spike test without division', () => {
  it('fround(fround(v/θ) − 1) > 0 ⇔ v > θ for float32 v and θ > 0 (the fused kernels rely on it)', () => {
    const rng = createRng(9);
    let checked = 0;
    for (let k = 0; k < 20000; k++) {
      // θ over many binades, including mantissas near 2 (where ulp(θ) is closest to θ·2⁻²⁴).
      const th = Math.fround(k % 3 === 0 ? 2 ** (rng.int(40) - 20) * (2 - 2 ** -23 * rng.int(8)) : 2 ** (rng.int(40) - 20) * (1 + rng.next()));
      for (const v of [th, nextFloat(th, 1), nextFloat(th, -1), nextFloat(nextFloat(th, 1), 1), Math.fround(th * (1 + rng.next() * 1e-6))]) {
        const composed = Math.fround(Math.fround(v / th) - 1) > 0;
        expect(composed, `v=${v} θ=${th}`).toBe(v > th);
        checked++;
      }
    }
    expect(checked).toBe(100000);
  });

  it.each(BACKENDS)('on %s, fused and composed agree on potentials at and next to θ', async (backend) => {
    await useBackend(backend);
    const sg = createSurrogate({ kind: 'linear' });
    for (const thv of [1, 0.8, Math.fround(1.9999999), 0.3]) {
      const th = Math.fround(thv);
      const vs = [th, nextFloat(th, 1), nextFloat(th, -1), nextFloat(nextFloat(th, 1), 1), 0, 2 * th];
      const run = (implementation: NeuronImplementation) =>
        tf.tidy(() => {
          const p: LifParams = { leak: tf.scalar(1), threshold: tf.scalar(th), reset: 'soft', order: 'current', detachReset: true, surrogate: sg, implementation };
          // Inputs of 8 so that the wasm SIMD path (4 at a time) runs too.
          const x = tf.tensor1d([...vs, th, nextFloat(th, 1)]);
          const r = lifStep(x, { u: tf.zeros([8]) }, p, 0);
          return [values(r.spikes), values(r.state['u']!)];
        });
      const [s1, u1] = run('composed');
      const [s2, u2] = run('fused');
      expect(s1).toEqual([0, 1, 0, 1, 0, 1, 0, 1]);
      expect(s2).toEqual(s1);
      expect(u2).toEqual(u1);
    }
  });
});

describe.each(BACKENDS)('fused LIF on %s', (backend) => {
  it('is chosen automatically on this backend', async () => {
    await useBackend(backend);
    const sg = createSurrogate({ kind: 'linear' });
    expect(lifUsesFused({ surrogate: sg })).toBe(true);
    expect(lifUsesFused({ surrogate: sg, implementation: 'composed' })).toBe(false);
    // STDB needs spike times: composed, and forcing fused is an error.
    expect(lifUsesFused({ surrogate: createSurrogate({ kind: 'stdb' }) })).toBe(false);
    expect(() => lifUsesFused({ surrogate: createSurrogate({ kind: 'stdb' }), implementation: 'fused' })).toThrow(/stdb/);
    // And the kernel really runs: it is registered for this backend after a fused step.
    tf.tidy(() =>
      lifStep(tf.ones([2, 2]), { u: tf.zeros([2, 2]) }, {
        leak: tf.scalar(1),
        threshold: tf.scalar(1),
        reset: 'soft',
        order: 'current',
        detachReset: true,
        surrogate: sg,
      }, 0).spikes,
    );
    expect(tf.getKernel(LIF_STEP_KERNEL, backend)).toBeDefined();
  });

  const simdModes = backend === 'wasm' ? [true, false] : [false];
  it.each(CONFIGS.flatMap((c, i) => simdModes.map((simd) => [i, simd ? 'SIMD' : 'JS', JSON.stringify(c), c, simd] as const)))(
    'config %i (%s) %s: values and gradients equal the composed ops',
    async (i, _mode, _name, c, simd) => {
      await useBackend(backend);
      const ref = runCase(c, 'composed', 100 + i);
      setFusedLifSimd(simd);
      let got;
      try {
        got = runCase(c, 'fused', 100 + i);
      } finally {
        setFusedLifSimd(true);
      }
      expect(got.spikes).toEqual(ref.spikes);
      expect(maxRelErr(got.u, ref.u)).toBeLessThan(1e-6);
      expect(Math.abs(got.loss - ref.loss)).toBeLessThan(1e-4 * Math.max(1, Math.abs(ref.loss)));
      for (const k of ['dx', 'du0', 'dleak', 'dth'] as const) {
        if (k === 'dleak' && !c.leak) continue;
        expect(maxRelErr(got[k], ref[k]), k).toBeLessThan(1e-5);
        expect(Math.max(...ref[k].map(Math.abs)), `${k} carries signal`).toBeGreaterThan(1e-3);
      }
      // Some neurons spike and some do not: the reset paths are exercised.
      const rate = ref.spikes.reduce((a, b) => a + b, 0) / ref.spikes.length;
      expect(rate).toBeGreaterThan(0.05);
      expect(rate).toBeLessThan(0.95);
    },
  );

  it('the wasm SIMD module validates, and binds to the wasm backend\'s heap', async () => {
    await useBackend(backend);
    expect(WebAssembly.validate(lifSimdBytes() as BufferSource)).toBe(true);
    if (backend !== 'wasm') return;
    const memory = wasmHeapMemory(tf.backend())!;
    expect(memory).toBeInstanceOf(WebAssembly.Memory);
    expect(lifSimdFor(memory)).not.toBeNull();
  });

  it('does not grow the tensor count over repeated forward+backward steps in tf.tidy', async () => {
    await useBackend(backend);
    const sg = createSurrogate({ kind: 'linear' });
    const leak = tf.variable(tf.scalar(0.9), true, `mem-${backend}/leak`);
    const th = tf.variable(tf.scalar(0.8), true, `mem-${backend}/threshold`);
    const x = tf.tensor(uniform(T * size, 5, -0.5, 1.5), [T, ...SHAPE]);
    const params: LifParams = { leak, threshold: th, reset: 'soft', order: 'current', detachReset: true, surrogate: sg, implementation: 'fused' };
    const trainStep = () =>
      tf.tidy(() => {
        const { grads, value } = tf.variableGrads(() => {
          let state: LifState = { u: tf.zeros(SHAPE) };
          let loss: tf.Tensor = tf.scalar(0);
          tf.unstack(x, 0).forEach((xt, t) => {
            const out = lifStep(xt, state, params, t);
            loss = tf.add(loss, tf.mean(out.spikes));
            state = out.state as LifState;
          });
          return tf.add(loss, tf.mean(state.u)) as tf.Scalar;
        });
        leak.assign(tf.sub(leak, tf.mul(0.01, grads[leak.name]!)));
        th.assign(tf.sub(th, tf.mul(0.01, grads[th.name]!)));
        return value.dataSync()[0]!;
      });
    trainStep();
    const before = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    for (let i = 0; i < 4; i++) trainStep();
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numBytes).toBe(bytes);
    // The parameters did move: gradients reached them.
    expect(th.dataSync()[0]).not.toBe(0.8);
    leak.dispose();
    th.dispose();
    x.dispose();
  });
});
