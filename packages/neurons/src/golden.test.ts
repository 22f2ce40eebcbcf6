/**
 * Golden trajectories, worked by hand (all values dyadic, so float32 is exact). Each runs
 * through a layer from the registry and `runSteps`, on cpu and wasm, with the fused and
 * the composed LIF implementations.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NeuronSpecInput } from '@spikelite/schemas';
import { createRng } from '@spikelite/engine';
import { describe, expect, it } from 'vitest';
import { BACKENDS, useBackend, values } from '../test/helpers.js';
import { createNeuronLayer } from './registry.js';
import { runSteps } from './run-steps.js';
import { firstSpikeTimes } from './spike-time.js';
import type { NeuronImplementation, StepNeuronLayer } from './types.js';

interface Golden {
  name: string;
  spec: NeuronSpecInput;
  channels?: number;
  /** inputs[t] for one neuron (or [t][channel]). */
  inputs: number[] | number[][];
  spikes: number[] | number[][];
  /** u after each step. */
  u: number[] | number[][];
  extra?: Record<string, number[]>;
}

let uid = 0;
function layerOf(spec: NeuronSpecInput, channels = 1, implementation: NeuronImplementation = 'auto'): StepNeuronLayer {
  const l = createNeuronLayer(spec, { name: `golden${uid++}`, channels, timesteps: 5, implementation });
  if (l.mode !== 'step') throw new Error('expected a step layer');
  return l;
}

/** Run a golden case; returns per-step spikes and u (flattened per step) and the final state. */
function run(g: Golden, impl: NeuronImplementation) {
  const channels = g.channels ?? 1;
  const layer = layerOf(g.spec, channels, impl);
  try {
    return tf.tidy(() => {
      const T = g.inputs.length;
      const x = tf.tensor(g.inputs.flat(), [T, 1, channels]);
      let state = layer.initState([1, channels]);
      const spikes: number[][] = [];
      const us: number[][] = [];
      const extra: Record<string, number[]> = {};
      for (let t = 0; t < T; t++) {
        const r = layer.step(tf.squeeze(tf.slice(x, [t, 0, 0], [1, 1, channels]), [0]), state, t);
        spikes.push(values(r.spikes));
        us.push(values(r.state['u']!));
        state = r.state;
      }
      for (const k of Object.keys(g.extra ?? {})) extra[k] = values(state[k]!);
      // runSteps gives the same spikes and final state.
      const rs = runSteps(layer, x);
      expect(values(rs.spikes)).toEqual(spikes.flat());
      expect(values(rs.finalState['u']!)).toEqual(us[T - 1]);
      return { spikes, us, extra };
    });
  } finally {
    layer.dispose();
  }
}

const I5 = [1.5, 0.5, 1.0, 0.25, 2.0];

const GOLDEN: Golden[] = [
  {
    // IF, θ = 1, soft reset.  t0: u₁ = 0.5 → 0.  t1: 1.25 > 1 → spike, u = 0.25.  t2: 0.5.
    // t3: 2.0 → spike, u = 1.0.  t4: u₁ = 1.0, z = 0 → no spike (H is strict), u = 1.0.
    name: 'IF soft',
    spec: { kind: 'if' },
    inputs: [0.5, 0.75, 0.25, 1.5, 0],
    spikes: [0, 1, 0, 1, 0],
    u: [0.5, 0.25, 0.5, 1.0, 1.0],
  },
  {
    // IF, θ = 1, hard reset. t1: 1.25 → spike, u = 0. t2: 0.25. t3: 1.75 → spike, 0. t4: 0.
    name: 'IF hard',
    spec: { kind: 'if', reset: 'hard' },
    inputs: [0.5, 0.75, 0.25, 1.5, 0],
    spikes: [0, 1, 0, 1, 0],
    u: [0.5, 0, 0.25, 0, 0],
  },
  {
    // LIF current order, λ = 0.5, θ = 1, soft.
    // t0: u₁ = 1.5 → s, u = 0.5.    t1: 0.25 + 0.5 = 0.75 → 0.
    // t2: 0.375 + 1 = 1.375 → s, u = 0.375.   t3: 0.1875 + 0.25 = 0.4375 → 0.
    // t4: 0.21875 + 2 = 2.21875 → s, u = 1.21875.
    name: 'LIF current soft',
    spec: { kind: 'lif', leak: 0.5 },
    inputs: I5,
    spikes: [1, 0, 1, 0, 1],
    u: [0.5, 0.75, 0.375, 0.4375, 1.21875],
  },
  {
    // LIF current order, λ = 0.5, θ = 1, hard: t0 1.5 → s, 0. t1 0.5. t2 0.25 + 1 = 1.25 → s, 0.
    // t3 0.25. t4 0.125 + 2 = 2.125 → s, 0.
    name: 'LIF current hard',
    spec: { kind: 'lif', leak: 0.5, reset: 'hard' },
    inputs: I5,
    spikes: [1, 0, 1, 0, 1],
    u: [0, 0.5, 0, 0.25, 0],
  },
  {
    // LIF previous order (spike from u(t−1)), λ = 0.5, θ = 1, soft: u(t) = λu(t−1) + I − θs.
    // t0: u(−1) = 0 → no spike; u = 1.5.   t1: 1.5 > 1 → s; u = 0.75 + 0.5 − 1 = 0.25.
    // t2: 0.25 → 0; u = 0.125 + 1 = 1.125.   t3: 1.125 → s; u = 0.5625 + 0.25 − 1 = −0.1875.
    // t4: → 0; u = −0.09375 + 2 = 1.90625.  (The same train as 'current', one step later.)
    name: 'LIF previous soft',
    spec: { kind: 'lif', leak: 0.5, order: 'previous' },
    inputs: I5,
    spikes: [0, 1, 0, 1, 0],
    u: [1.5, 0.25, 1.125, -0.1875, 1.90625],
  },
  {
    // LIF previous order, hard: u(t) = λu(t−1)(1 − s) + I.
    // t0: no spike, u = 1.5.  t1: s; u = 0 + 0.5.  t2: 0.25 + 1 = 1.25.  t3: s; u = 0.25.
    // t4: 0.125 + 2 = 2.125.
    name: 'LIF previous hard',
    spec: { kind: 'lif', leak: 0.5, order: 'previous', reset: 'hard' },
    inputs: I5,
    spikes: [0, 1, 0, 1, 0],
    u: [1.5, 0.5, 1.25, 0.25, 2.125],
  },
  {
    // LIF current soft, λ = 0.75, θ = 0.5 (z = u/θ − 1, so θ ≠ 1 matters).
    // t0: 0.25 (z = −0.5).  t1: 0.1875 + 0.5 = 0.6875 → s, u = 0.1875.  t2: 0.140625.
    // t3: 0.10546875 + 1 = 1.10546875 → s, u = 0.60546875.
    // t4: 0.4541015625 + 0.125 = 0.5791015625 → s, u = 0.0791015625.
    name: 'LIF θ = 0.5, λ = 0.75',
    spec: { kind: 'lif', leak: 0.75, threshold: 0.5 },
    inputs: [0.25, 0.5, 0, 1.0, 0.125],
    spikes: [0, 1, 0, 1, 1],
    u: [0.25, 0.1875, 0.140625, 0.60546875, 0.0791015625],
  },
  {
    // Per-channel λ, θ: channel 0 is 'LIF current soft', channel 1 is 'LIF θ = 0.5, λ = 0.75'
    // (set with setParameter below).
    name: 'LIF per channel',
    spec: { kind: 'lif', granularity: 'channel' },
    channels: 2,
    inputs: I5.map((v, t) => [v, [0.25, 0.5, 0, 1.0, 0.125][t]!]),
    spikes: [
      [1, 0],
      [0, 1],
      [1, 0],
      [0, 1],
      [1, 1],
    ],
    u: [
      [0.5, 0.25],
      [0.75, 0.1875],
      [0.375, 0.140625],
      [0.4375, 0.60546875],
      [1.21875, 0.0791015625],
    ],
  },
  {
    // Single-spike, λ = 1, θ = 1, reset to 0. t0: 0.5. t1: 1.25 → spike (t_s = 1), u = 0.
    // t2: 0.5. t3: 2.5 > θ but already fired → silent, no reset. t4: 2.75.
    name: 'single-spike reset',
    spec: { kind: 'singleSpikeLif', afterSpike: 'reset' },
    inputs: [0.5, 0.75, 0.5, 2.0, 0.25],
    spikes: [0, 1, 0, 0, 0],
    u: [0.5, 0, 0.5, 2.5, 2.75],
    extra: { fired: [1], spikeTime: [1] },
  },
  {
    // Single-spike, freeze: after the spike at t1 the potential stays 1.25.
    name: 'single-spike freeze',
    spec: { kind: 'singleSpikeLif', afterSpike: 'freeze' },
    inputs: [0.5, 0.75, 0.5, 2.0, 0.25],
    spikes: [0, 1, 0, 0, 0],
    u: [0.5, 1.25, 1.25, 1.25, 1.25],
    extra: { fired: [1], spikeTime: [1] },
  },
  {
    // Single-spike, λ = 0.5: t0 0.5; t1 0.25 + 0.75 = 1.0 (z = 0: no spike); t2 0.5 + 0.5 = 1.0
    // (no spike); t3 0.5 + 2 = 2.5 → spike, u = 0; t4 0.25.
    name: 'single-spike leak 0.5',
    spec: { kind: 'singleSpikeLif', leak: 0.5 },
    inputs: [0.5, 0.75, 0.5, 2.0, 0.25],
    spikes: [0, 0, 0, 1, 0],
    u: [0.5, 1.0, 1.0, 0, 0.25],
    extra: { fired: [1], spikeTime: [3] },
  },
  {
    // Never reaches θ = 1: no spike, spikeTime stays −1.
    name: 'single-spike silent',
    spec: { kind: 'singleSpikeLif', leak: 0.5 },
    inputs: [0.5, 0.25, 0.5, 0.25, 0.5],
    spikes: [0, 0, 0, 0, 0],
    u: [0.5, 0.5, 0.75, 0.625, 0.8125],
    extra: { fired: [0], spikeTime: [-1] },
  },
  {
    // Integrator: U = U + I, output = U.
    name: 'integrator',
    spec: { kind: 'integrator' },
    inputs: [1, -0.5, 2.25, 0, 0.25],
    spikes: [1, 0.5, 2.75, 2.75, 3.0],
    u: [1, 0.5, 2.75, 2.75, 3.0],
  },
];

/** The cases an implementation runs: only LIF and IF have a fused form; the composed one runs every case. */
const casesOf = (impl: 'fused' | 'composed'): Golden[] => GOLDEN.filter((g) => impl === 'composed' || g.spec.kind === 'lif' || g.spec.kind === 'if');

/** Per-channel leaks and thresholds, set through the layer (the spec holds one value each). */
function runPerChannel(g: Golden, impl: NeuronImplementation): { spikes: number[]; final: number[] } {
  const layer = layerOf(g.spec, 2, impl);
  try {
    layer.setParameter('leak', [0.5, 0.75]);
    layer.setParameter('threshold', [1, 0.5]);
    expect(layer.getParameter('threshold')).toEqual([1, 0.5]);
    return tf.tidy(() => {
      const x = tf.tensor(g.inputs.flat(), [g.inputs.length, 1, 2]);
      const rs = runSteps(layer, x);
      return { spikes: values(rs.spikes), final: values(rs.finalState['u']!) };
    });
  } finally {
    layer.dispose();
  }
}

describe.each(BACKENDS)('golden trajectories on %s', (backend) => {
  for (const impl of ['fused', 'composed'] as const) {
    it.each(casesOf(impl).map((g) => [g.name, g] as const))(`%s (${impl})`, async (_n, g) => {
      await useBackend(backend);
      if (g.name === 'LIF per channel') {
        const r = runPerChannel(g, impl);
        expect(r.spikes).toEqual((g.spikes as number[][]).flat());
        expect(r.final).toEqual((g.u as number[][])[g.inputs.length - 1]);
      } else {
        const r = run(g, impl);
        expect(r.spikes.flat()).toEqual(g.spikes);
        expect(r.us.flat()).toEqual(g.u);
        for (const [k, v] of Object.entries(g.extra ?? {})) expect(r.extra[k]).toEqual(v);
      }
    });
  }

  it('single-spike neurons never fire twice (seeded random inputs, incl. huge ones)', async () => {
    await useBackend(backend);
    const T = 12;
    const N = 64;
    const F = 16;
    let totalSpikes = 0;
    let seed = 1;
    for (const afterSpike of ['reset', 'freeze'] as const) {
      for (const leak of [1, 0.8]) {
        for (const scale of [1, 1e3, 1e30]) {
          const layer = layerOf({ kind: 'singleSpikeLif', afterSpike, leak, threshold: 0.7 });
          const rng = createRng(seed++);
          const data = Float32Array.from({ length: T * N * F }, () => scale * (rng.next() * 2 - 0.8));
          const { perNeuron, times, first } = tf.tidy(() => {
            const rs = runSteps(layer, tf.tensor(data, [T, N, F]));
            return {
              perNeuron: values(tf.sum(rs.spikes, 0)),
              times: values(rs.finalState['spikeTime']!),
              first: values(firstSpikeTimes(rs.spikes, -1)),
            };
          });
          layer.dispose();
          expect(Math.max(...perNeuron)).toBeLessThanOrEqual(1);
          expect(times).toEqual(first); // spikeTime is the step of the (only) spike
          totalSpikes += perNeuron.reduce((a, b) => a + b, 0);
          // With these inputs most neurons fire: the bound is not met by silence.
          expect(perNeuron.filter((v) => v === 1).length).toBeGreaterThan((N * F) / 2);
        }
      }
    }
    expect(totalSpikes).toBeGreaterThan(0);
  });

  it('steps inside tf.tidy do not grow the tensor count', async () => {
    await useBackend(backend);
    for (const spec of [
      { kind: 'lif', leak: 0.9 },
      { kind: 'lif', surrogate: { kind: 'stdb' } },
      { kind: 'singleSpikeLif' },
      { kind: 'integrator' },
    ] as NeuronSpecInput[]) {
      const layer = layerOf(spec, 1);
      const x = tf.randomUniform([4, 8], 0, 1, 'float32', 3);
      let state = layer.initState([4, 8]);
      const step = (t: number) => {
        const next = tf.tidy(() => layer.step(x, state, t).state as tf.NamedTensorMap);
        Object.values(state).forEach((v) => v.dispose());
        state = next;
      };
      step(0);
      const before = tf.memory().numTensors;
      for (let t = 1; t < 6; t++) step(t);
      expect(tf.memory().numTensors).toBe(before);
      Object.values(state).forEach((v) => v.dispose());
      x.dispose();
      layer.dispose();
    }
  });
});
