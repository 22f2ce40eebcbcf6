/**
 * NIR neurons: hand-worked trajectories (dt/τ chosen dyadic so float32 is exact), the
 * conventions' worked numbers, and the snnTorch recurrence they reproduce. On cpu and wasm.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NeuronSpecInput } from '@spikelite/schemas';
import { describe, expect, it } from 'vitest';
import { BACKENDS, useBackend, values } from '../../test/helpers.js';
import { createNeuronLayer } from '../registry.js';
import type { StepNeuronLayer } from '../types.js';
import { discreteToNir, integratorGain } from './conventions.js';

let uid = 0;
const layerOf = (spec: NeuronSpecInput) => createNeuronLayer(spec, { name: `nir${uid++}`, channels: 1, timesteps: 5 }) as StepNeuronLayer;

/** Run `inputs[t][neuron]` (batch 1) through the layer; per-step outputs and membrane u. */
function run(spec: NeuronSpecInput, inputs: number[][]) {
  const layer = layerOf(spec);
  const n = inputs[0]!.length;
  const out: number[][] = [];
  const u: number[][] = [];
  let state = layer.initState([1, n]);
  for (let t = 0; t < inputs.length; t++) {
    const x = tf.tensor2d([inputs[t]!]);
    const r = layer.step(x, state, t);
    x.dispose();
    for (const s of Object.values(state)) if (!Object.values(r.state).includes(s)) s.dispose();
    out.push(values(r.spikes));
    u.push(values(r.state['u']!));
    if (r.spikes !== r.state['u']) r.spikes.dispose();
    state = r.state;
  }
  for (const s of Object.values(state)) s.dispose();
  layer.dispose();
  return { out, u };
}

const col = (xs: number[]) => xs.map((x) => [x]);

describe.each(BACKENDS)('NIR neurons on %s', (backend) => {
  it('LIF, per-neuron parameters: v += (dt/τ)·((v_leak − v) + r·I), strict threshold, hard reset to v_reset', async () => {
    await useBackend(backend);
    // Neuron 0: k = dt/τ = 1/2, r = 2, v_leak = 0, θ = 1, v_reset = 0.25.
    //   t0: 0 + ½(0 + 2) = 1 (not > 1)   t1: 1 + ½(−1 + 1) = 1   t2: 1 + ½(−1) = 0.5
    //   t3: 0.5 + ½(−0.5 + 4) = 2.25 → spike, v = 0.25   t4: 0.25 + ½(−0.25) = 0.125
    // Neuron 1: k = 1/4, r = 1, v_leak = 0.5, θ = 0.5, v_reset = 0.
    //   t0: ¼(0.5 + 1) = 0.375   t1: 0.375 + ¼(0.125 + 0.5) = 0.53125 → spike, 0
    //   t2: ¼(0.5) = 0.125   t3: 0.125 + ¼(0.375 + 2) = 0.71875 → spike, 0   t4: 0.125
    const I = [1, 0.5, 0, 2, 0];
    const { out, u } = run(
      { kind: 'nirLif', dt: 1, tau: [2, 4], r: [2, 1], vLeak: [0, 0.5], vThreshold: [1, 0.5], vReset: [0.25, 0] },
      I.map((x) => [x, x]),
    );
    expect(out).toEqual([[0, 0], [0, 1], [0, 0], [1, 1], [0, 0]]);
    expect(u).toEqual([[1, 0.375], [1, 0], [0.5, 0.125], [0.25, 0], [0.125, 0.125]]);
  });

  it('IF: the convention decides the integrator gain (dt·r or r)', async () => {
    await useBackend(backend);
    const I = col([1, 1, 1, 1]);
    // 'nir', dt = 0.5, r = 1: v += 0.5 → 0.5, 1 (not > 1), 1.5 → spike → 0, 0.5
    expect(run({ kind: 'nirIf', dt: 0.5 }, I)).toEqual({ out: col([0, 0, 1, 0]), u: col([0.5, 1, 0, 0.5]) });
    // 'spikingjelly' writes r = 1/dt: v += I → 1, 2 → spike → 0, 1, 2 → spike → 0
    expect(run({ kind: 'nirIf', dt: 0.5, r: 2, convention: 'spikingjelly' }, I)).toEqual({ out: col([0, 1, 0, 1]), u: col([1, 0, 1, 0]) });
    // 'snntorch' and 'norse' write r = 1 and add it once per step, whatever dt.
    for (const convention of ['snntorch', 'norse'] as const) {
      expect(run({ kind: 'nirIf', dt: 0.5, convention }, I)).toEqual({ out: col([0, 1, 0, 1]), u: col([1, 0, 1, 0]) });
    }
  });

  it('LI and I never spike; their output is the membrane', async () => {
    await useBackend(backend);
    // LI: k = ½, r = 1, v_leak = 1: 0 + ½(1 + 2) = 1.5; 1.5 + ½(−0.5 + 0) = 1.25
    expect(run({ kind: 'nirLi', dt: 1, tau: 2, vLeak: 1 }, col([2, 0]))).toEqual({ out: col([1.5, 1.25]), u: col([1.5, 1.25]) });
    // I, 'nir', dt = 0.25, r = 2: v += 0.5·I
    expect(run({ kind: 'nirI', dt: 0.25, r: 2 }, col([1, 1, -4]))).toEqual({ out: col([0.5, 1, -1]), u: col([0.5, 1, -1]) });
  });

  it('CubaLIF: i += (dt/τ_syn)·(w_in·S − i), then v += (dt/τ_mem)·((v_leak − v) + r·i)', async () => {
    await useBackend(backend);
    // k_syn = k = ½, w_in = 3, θ = 1.  t0: i = 1.5·... = ½(3) = 1.5? no: i = 0 + ½(3·1 − 0) = 1.5,
    //   v = ½(1.5) = 0.75.   t1: i = 1.5 + ½(−1.5) = 0.75, v = 0.75 + ½(−0.75 + 0.75) = 0.75
    //   t2: S = 2: i = 0.75 + ½(6 − 0.75) = 3.375, v = 0.75 + ½(−0.75 + 3.375) = 2.0625 → spike, 0
    //   t3: i = 3.375 + ½(−3.375) = 1.6875, v = ½(1.6875) = 0.84375
    const r = run({ kind: 'nirCubaLif', dt: 1, tauSyn: 2, tauMem: 2, wIn: 3 }, col([1, 0, 2, 0]));
    expect(r).toEqual({ out: col([0, 0, 1, 0]), u: col([0.75, 0.75, 0, 0.84375]) });
    // CubaLI: the same membrane without the threshold.
    expect(run({ kind: 'nirCubaLi', dt: 1, tauSyn: 2, tauMem: 2, wIn: 3 }, col([1, 0, 2, 0])).u).toEqual(col([0.75, 0.75, 2.0625, 1.875]));
  });

  it("reproduces snnTorch's recurrences from the (τ, r, w_in) snnTorch writes (dt = 1e-4)", async () => {
    await useBackend(backend);
    // snnTorch Synaptic: syn = α·syn + x, mem = β·mem + syn; written as τ_syn = dt/(1 − α),
    // w_in = τ_syn/dt, τ_mem = dt/(1 − β), r = τ_mem/dt. Threshold out of reach: membrane only.
    const dt = 1e-4;
    const alpha = 0.8;
    const beta = 0.9;
    const tauSyn = dt / (1 - alpha);
    const tauMem = dt / (1 - beta);
    const x = [1, 0, 0, 0.5, 0, 0, 0, 2, 0, 0];
    const { u } = run({ kind: 'nirCubaLif', convention: 'snntorch', tauSyn, tauMem, wIn: tauSyn / dt, r: tauMem / dt, vThreshold: 1e9 }, col(x));
    let syn = 0;
    let mem = 0;
    const expected = x.map((xt) => {
      syn = alpha * syn + xt;
      mem = beta * mem + syn;
      return mem;
    });
    u.forEach(([v], t) => expect(Math.abs(v! - expected[t]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(expected[t]!))));
    // Leaky: mem = β·mem + x from discreteToNir(β).
    const lif = discreteToNir(beta, dt, 'snntorch');
    if (lif.model !== 'LIF') throw new Error('expected a LIF');
    const leaky = run({ kind: 'nirLif', convention: 'snntorch', tau: lif.tau, r: lif.r, vThreshold: 1e9 }, col(x)).u;
    mem = 0;
    x.forEach((xt, t) => {
      mem = beta * mem + xt;
      expect(Math.abs(leaky[t]![0]! - mem)).toBeLessThan(1e-5 * Math.max(1, mem));
    });
  });

  it('Threshold: no state, s = I > θ at every step', async () => {
    await useBackend(backend);
    // θ = [0.5, 0]: the membrane is not carried (an IF would have fired at t1 on neuron 0).
    const { out } = run({ kind: 'nirThreshold', vThreshold: [0.5, 0] }, [[0.4, 0], [0.4, 1e-7], [0.6, -1], [0.5, 0]]);
    expect(out).toEqual([[0, 0], [0, 1], [1, 0], [0, 0]]);
  });

  it('a discrete LIF v ← λ·v + I written as τ = dt/(1 − λ), r = τ/dt (float64) steps as exactly λ·v + I', async () => {
    await useBackend(backend);
    const fr = Math.fround;
    const dt = 1e-3;
    // Leaks down to 0.03 (where τ in float32 would already shift β by more than half an ulp) and
    // inputs spread over five orders of magnitude.
    const lambdas = [0.03, 0.1, 0.37, 0.5, 0.9, 0.97, 0.999].map(fr);
    const tau = lambdas.map((l) => dt / (1 - l));
    const r = tau.map((t) => t / dt);
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const inputs = Array.from({ length: 40 }, () => lambdas.map(() => fr(rand() * 10 ** Math.floor(rand() * 2.5))));
    const { u } = run({ kind: 'nirLif', dt, tau, r, vThreshold: 1e30 }, inputs);
    const v = lambdas.map(() => 0);
    inputs.forEach((x, t) => {
      lambdas.forEach((l, j) => (v[j] = fr(fr(l * v[j]!) + x[j]!)));
      expect(u[t]).toEqual(v);
    });
  });

  it('parameters of the feature shape, checked at initState; set/get; no tensor leak', async () => {
    await useBackend(backend);
    const layer = layerOf({ kind: 'nirLif', dt: 1, tau: 2, vThreshold: [1, 2, 3, 4, 5, 6] });
    expect(() => layer.initState([1, 4])).toThrow(/vThreshold has 6 values but the layer has 4 neurons \(features \[4\]\)/);
    const before = tf.memory().numTensors;
    let state = layer.initState([2, 2, 3]);
    for (let t = 0; t < 4; t++) {
      const x = tf.ones([2, 2, 3]);
      const r = layer.step(x, state, t);
      x.dispose();
      for (const s of Object.values(state)) s.dispose();
      r.spikes.dispose();
      state = r.state;
    }
    for (const s of Object.values(state)) s.dispose();
    expect(tf.memory().numTensors).toBe(before + 4); // the cached coefficients (β, α, θ, v_reset; v_leak = 0 adds nothing)
    // Steps inside tf.tidy (as models run them) keep the cached coefficients alive.
    const again = layerOf({ kind: 'nirLif', dt: 1, tau: 2 });
    const s0 = again.initState([1, 2]);
    const s1 = tf.tidy(() => again.step(tf.ones([1, 2]), s0, 0).state['u']!);
    const s2 = tf.tidy(() => again.step(tf.ones([1, 2]), { u: s1 }, 1).state['u']!);
    expect(values(s2)).toEqual([0.75, 0.75]); // ½(1) = 0.5, then 0.5 + ½(−0.5 + 1)
    for (const t of [...Object.values(s0), s1, s2]) t.dispose();
    again.dispose();
    layer.setParameter('threshold', 0.5);
    expect(layer.getParameter('vThreshold')).toEqual([0.5]);
    expect(() => layer.getParameter('leak')).toThrow("a nirLif neuron has no parameter 'leak' (it has tau, r, vLeak, vThreshold, vReset)");
    layer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('conventions: worked numbers', () => {
  it('discrete β = 0.9 at dt = 1e-4 and an IF, as each framework writes them', () => {
    const near = (x: number, y: number) => expect(Math.abs(x - y)).toBeLessThan(1e-12 * Math.max(1, Math.abs(y)));
    const snn = discreteToNir(0.9, 1e-4, 'snntorch');
    if (snn.model !== 'LIF') throw new Error('LIF expected');
    near(snn.tau, 1e-3);
    near(snn.r, 10);
    const norse = discreteToNir(0.9, 1e-4, 'norse');
    if (norse.model !== 'LIF') throw new Error('LIF expected');
    near(norse.tau, 1e-3);
    expect(norse.r).toBe(1);
    expect(discreteToNir(1, 1e-3, 'spikingjelly')).toEqual({ model: 'IF', r: 1000 });
    expect(discreteToNir(1, 1e-3, 'nir')).toEqual({ model: 'IF', r: 1000 });
    expect(discreteToNir(1, 1e-4, 'snntorch')).toEqual({ model: 'IF', r: 1 });
    expect(integratorGain(1000, 1e-3, 'spikingjelly')).toBe(1);
    expect(integratorGain(1, 1e-3, 'norse')).toBe(1);
    expect(integratorGain(1, 1e-3, 'nir')).toBe(1e-3);
    expect(() => discreteToNir(0, 1e-4, 'nir')).toThrow(/β must be in \(0, 1\]/);
  });
});
