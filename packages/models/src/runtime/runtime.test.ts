/**
 * The compiled runtime against SnnModel.forward on the cpu backend (the reference): identical
 * spike counts and logits within 1e-5 relative, in every kernel mode, on a network with every
 * op the runtime runs (conv with bias and stride, max, average (overlapping) pools, a residual
 * add of spike maps, an affine scale, flatten, linear) under each supported neuron and encoding.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createEncoder, type ChannelNormalization } from '@spikelite/encoding';
import { createRng, initEngine } from '@spikelite/engine';
import { EncodingSpec, ModelSpec, NeuronSpec, parseWith, type EncodingSpecInput, type NeuronSpecInput } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { Network } from '../network.js';
import { SnnModel } from '../snn.js';
import { compileSnn, RuntimeUnsupportedError, type RuntimeMode } from './index.js';
import { setRuntimeSimd } from './simd.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

const SPEC = parseWith(ModelSpec, {
  input: { height: 10, width: 10, channels: 2 },
  classes: 3,
  layers: [
    { kind: 'conv2d', filters: 4, kernelSize: 3, useBias: true },
    { kind: 'activation', fn: 'relu' },
    { kind: 'maxPool', poolSize: 2 },
    { kind: 'residual', body: [{ kind: 'conv2d', filters: 4, kernelSize: 3 }, { kind: 'activation', fn: 'relu' }] },
    { kind: 'conv2d', filters: 6, kernelSize: 3, strides: 2, padding: { top: 1, bottom: 1, left: 1, right: 1 } },
    { kind: 'affine', shape: [6], scale: true },
    { kind: 'activation', fn: 'relu' },
    { kind: 'avgPool', poolSize: 2, strides: 1 },
    { kind: 'flatten' },
    { kind: 'linear', units: 8, useBias: true },
    { kind: 'activation', fn: 'relu' },
    { kind: 'linear', units: 3 },
  ],
}, 'spec');

const N = 6;
const T = 5;

function images(seed: number): Float32Array {
  const rng = createRng(seed);
  // Dark background and bright strokes, like the datasets: many pixels never spike in time codes.
  return Float32Array.from({ length: N * 200 }, () => (rng.next() < 0.4 ? 0 : rng.next()));
}

function network(seed: number): Network {
  const net = Network.create(SPEC, { seed, init: 'kaiming' });
  const rng = createRng(seed + 100);
  net.params.assign('layers.5.scale', Float32Array.from({ length: 6 }, () => 0.5 + rng.next()));
  net.params.assign('layers.0.bias', Float32Array.from({ length: 4 }, () => rng.next() * 0.2 - 0.05));
  return net;
}

interface Case {
  name: string;
  neuron: NeuronSpecInput;
  encoding: EncodingSpecInput;
  normalization?: ChannelNormalization;
  /** Per-channel parameters set after construction (granularity 'channel'). */
  perChannel?: boolean;
}

const CASES: Case[] = [
  { name: 'IF, soft reset, u(0) = θ/2, direct input', neuron: { kind: 'if', threshold: 0.25, initialPotential: 0.5 }, encoding: { kind: 'direct' } },
  {
    name: 'LIF per channel, hard reset, order previous, u(0) = 0.4·θ, direct input with normalisation',
    neuron: { kind: 'lif', leak: 0.9, threshold: 0.3, reset: 'hard', order: 'previous', granularity: 'channel', initialPotential: 0.4 },
    encoding: { kind: 'direct' },
    normalization: { mean: [0.3, 0.2], std: [0.5, 0.25] },
    perChannel: true,
  },
  { name: 'LIF λ 0.8, soft reset, temporal input', neuron: { kind: 'lif', leak: 0.8, threshold: 0.15 }, encoding: { kind: 'temporal', tMin: 0 } },
  {
    name: 'single-spike LIF (reset), hybrid input with normalisation',
    neuron: { kind: 'singleSpikeLif', threshold: 0.2 },
    encoding: { kind: 'hybrid', analogSteps: 1, temporal: { tMin: 1 } },
    normalization: { mean: [0.25, 0.25], std: [0.5, 0.5] },
  },
  { name: 'single-spike LIF (freeze, λ 0.9), hybrid input', neuron: { kind: 'singleSpikeLif', threshold: 0.2, leak: 0.9, afterSpike: 'freeze' }, encoding: { kind: 'hybrid', analogSteps: 2, temporal: { tMin: 2 } } },
];

function build(c: Case, seed: number): SnnModel {
  const snn = new SnnModel(network(seed), {
    timesteps: T,
    neuron: parseWith(NeuronSpec, c.neuron, 'neuron'),
    encoder: createEncoder(parseWith(EncodingSpec, c.encoding, 'encoding'), { timesteps: T, ...(c.normalization ? { normalization: c.normalization } : {}) }),
  });
  if (c.perChannel) {
    const rng = createRng(seed + 7);
    snn.neurons.forEach((layer, i) => {
      if (layer.mode !== 'step') return;
      const channels = snn.network.graph.activations[i]!.input.at(-1)!;
      layer.setParameter('threshold', Array.from({ length: channels }, () => 0.2 + 0.2 * rng.next()));
      layer.setParameter('leak', Array.from({ length: channels }, () => 0.7 + 0.3 * rng.next()));
    });
  }
  return snn;
}

function reference(snn: SnnModel, x: Float32Array): { logits: Float32Array; counts: Float32Array } {
  const input = tf.tensor4d(x, [N, 10, 10, 2]);
  const r = snn.forward(input, { release: true });
  const out = { logits: r.logits.dataSync() as Float32Array, counts: r.spikeCounts.dataSync() as Float32Array };
  tf.dispose([input, r.logits, r.spikeCounts]);
  return out;
}

describe('compileSnn: the runtime equals SnnModel.forward', () => {
  for (const c of CASES) {
    it(c.name, () => {
      for (const seed of [1, 2]) {
        const snn = build(c, seed);
        const x = images(seed);
        const ref = reference(snn, x);
        // The network is active in every layer: a parity of silent layers would prove nothing.
        for (let l = 0; l < 4; l++) expect(ref.counts.slice(l * T, (l + 1) * T).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
        const options = c.normalization ? { normalization: c.normalization } : {};
        const rt = compileSnn(snn, options);
        expect(rt.simd).toBe(true);
        // The same with every kernel in JavaScript (the path without wasm SIMD).
        setRuntimeSimd(false);
        const js = compileSnn(snn, options);
        setRuntimeSimd(true);
        expect(js.simd).toBe(false);
        const scale = Math.max(1, ...Array.from(ref.logits, Math.abs));
        for (const [mode, r] of (['auto', 'dense', 'sparse'] as RuntimeMode[]).flatMap((m) => [[m, rt.run(x, N, { mode: m })], [`${m}, JavaScript`, js.run(x, N, { mode: m })]] as const)) {
          expect(Array.from(r.spikeCounts), `${mode}, seed ${seed}`).toEqual(Array.from(ref.counts));
          const err = Math.max(...Array.from(r.logits, (v, i) => Math.abs(v - ref.logits[i]!)));
          expect(err / scale, `${mode}, seed ${seed}`).toBeLessThan(1e-5);
          const layers = r.kernels;
          expect(layers.map((k) => k.layer)).toEqual(['layers.0', 'layers.3.body.0', 'layers.4', 'layers.9', 'layers.11']);
          if (mode.startsWith('dense')) expect(layers.every((k) => k.sparseSteps === 0)).toBe(true);
          if (mode.startsWith('sparse')) expect(layers.every((k) => k.denseSteps === 0)).toBe(true);
        }
        snn.network.dispose();
        snn.dispose();
      }
    });
  }

  it('layers fed by the direct input run once per image, spiking layers every step', () => {
    const snn = build(CASES[0]!, 1);
    const r = compileSnn(snn).run(images(1), N, { mode: 'dense' });
    const steps = Object.fromEntries(r.kernels.map((k) => [k.layer, k.denseSteps]));
    expect(steps).toEqual({ 'layers.0': N, 'layers.3.body.0': N * T, 'layers.4': N * T, 'layers.9': N * T, 'layers.11': N * T });
    snn.network.dispose();
    snn.dispose();
  });

  it('auto mode goes event-driven on sparse spike inputs and dense on the analog step', () => {
    const snn = build(CASES[3]!, 1);
    const norm = { normalization: CASES[3]!.normalization! };
    const r = compileSnn(snn, { ...norm, crossover: { conv2d: 0.5, linear: 0.5 } }).run(images(1), N);
    // Layer 1: the normalised analog image at t = 0 (every element non-zero: dense), temporal spikes after (< 50 % of the pixels per step).
    expect([r.kernels[0]!.denseSteps, r.kernels[0]!.sparseSteps]).toEqual([N, N * (T - 1)]);
    // Spike-fed layers: event-driven on the sparse steps (after t = 0 few neurons are left to fire).
    for (const k of r.kernels.slice(1)) {
      expect(k.sparseSteps + k.denseSteps).toBe(N * T);
      expect(k.sparseSteps).toBeGreaterThanOrEqual(N * (T - 1));
    }
    // A cut of 100 %: every input is event-driven, the analog image too (its non-zero values are listed).
    const all = compileSnn(snn, { ...norm, crossover: { conv2d: 1, linear: 1 } }).run(images(1), N);
    expect(all.kernels.map((k) => k.denseSteps)).toEqual([0, 0, 0, 0, 0]);
    // Unnormalised, the analog image is as sparse as the images (40 % zeros): under a 70 % cut, event-driven.
    const raw = compileSnn(snn, { crossover: { conv2d: 0.7, linear: 0.7 } }).run(images(1), N);
    expect(raw.kernels[0]!.denseSteps).toBe(0);
    snn.network.dispose();
    snn.dispose();
  });

  it('refuses what it does not run, naming the layer and the kind', () => {
    const fs = new SnnModel(network(1), {
      timesteps: 1,
      neuron: parseWith(NeuronSpec, { kind: 'fs', activation: 'relu', K: 4 }, 'neuron'),
      encoder: createEncoder({ kind: 'direct' }, { timesteps: 1 }),
    });
    expect(() => compileSnn(fs)).toThrow(RuntimeUnsupportedError);
    expect(() => compileSnn(fs)).toThrow("compileSnn: layer 'layers.1': the 'fs' neuron is not supported by the event-driven runtime; run this SNN with SnnModel.forward");
    fs.network.dispose();
    fs.dispose();
    const rate = new SnnModel(network(1), {
      timesteps: 2,
      neuron: parseWith(NeuronSpec, { kind: 'if' }, 'neuron'),
      encoder: createEncoder({ kind: 'rate' }, { timesteps: 2, rng: createRng(0) }),
    });
    expect(() => compileSnn(rate)).toThrow("compileSnn: layer 'input': the 'rate' encoding is not supported");
    rate.network.dispose();
    rate.dispose();
  });

  it('checks its input', () => {
    const snn = build(CASES[3]!, 1);
    const rt = compileSnn(snn);
    expect(() => rt.run(new Float32Array(10), 1)).toThrow('SnnRuntime.run: images must be a Float32Array of n × 200 = 200 values, got 10');
    expect(() => rt.run(new Float32Array(200).fill(2), 1)).toThrow("the 'hybrid' encoding reads raw intensities in [0, 1], got 2 at element 0");
    expect(() => rt.run(new Float32Array(200), 1, { mode: 'fast' as never })).toThrow("mode must be one of auto, dense, sparse, got 'fast'");
    snn.network.dispose();
    snn.dispose();
  });
});
