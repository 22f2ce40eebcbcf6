/**
 * recordRaster on a tiny SNN with hand-set weights, so every spike time is known by hand:
 * IF neurons, θ = 1, soft reset, strict u > θ, direct input over T = 4.
 */
import { createEncoder } from '@spikelite/encoding';
import { initEngine } from '@spikelite/engine';
import { Network, SnnModel } from '@spikelite/models';
import { ModelSpec, parseWith, type NeuronSpecInput } from '@spikelite/schemas';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recordRaster, sampleNeurons } from './raster.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

// x (1×1×3) → linear 4 → neurons A → linear 2 → neurons B → linear 2 (output membrane).
const spec = parseWith(ModelSpec, {
  input: { channels: 3, height: 1, width: 1 },
  classes: 2,
  layers: [
    { kind: 'flatten' },
    { kind: 'linear', units: 4, useBias: false },
    { kind: 'activation', fn: 'relu' },
    { kind: 'linear', units: 2, useBias: false },
    { kind: 'activation', fn: 'relu' },
    { kind: 'linear', units: 2, useBias: false },
  ],
}, 'test');

// With x = [1, 0.5, 0]: A gets currents 1.2, 0.6, 0.3, −1.2 (x2 = 0 mutes row 2).
//   a0: u = 1.2 > 1 at every step          → spikes t = 0, 1, 2, 3
//   a1: u = 0.6, 1.2, 0.8, 1.4             → spikes t = 1, 3
//   a2: u = 0.3, 0.6, 0.9, 1.2             → spike  t = 3
//   a3: negative                           → silent
// B: b0 = 1.5·a0 → u = 1.5, 2.0, 2.5, 3.0 (minus 1 per spike) → spikes t = 0..3;
//    b1 = 0.7·a1 + 0.4·a2 → 0, 0.7, 0.7, 1.8 → spike t = 3.
// Output U(T) = (4, 1): predicted 0.
const X = new Float32Array([1, 0.5, 0]);
const A_EVENTS = [[0, 0], [1, 0], [1, 1], [2, 0], [3, 0], [3, 1], [3, 2]];
const B_EVENTS = [[0, 0], [1, 0], [2, 0], [3, 0], [3, 1]];
const A_FIRES: Record<number, number[]> = { 0: [0, 1, 2, 3], 1: [1, 3], 2: [3], 3: [] };

const IF: NeuronSpecInput = { kind: 'if', threshold: 1, reset: 'soft' };
let open: SnnModel[] = [];

function tinySnn(neuron: NeuronSpecInput, timesteps: number): SnnModel {
  const net = Network.create(spec);
  net.params.assign('layers.1.kernel', new Float32Array([1.2, 0, 0.3, -1.2, 0, 1.2, 0, 0, 5, 5, 5, 5]));
  net.params.assign('layers.3.kernel', new Float32Array([1.5, 0, 0, 0.7, 0, 0.4, 0, 0]));
  net.params.assign('layers.5.kernel', new Float32Array([1, 0, 0, 1]));
  const snn = new SnnModel(net, { timesteps, neuron: neuron as never, encoder: createEncoder({ kind: 'direct' }, { timesteps }) });
  open.push(snn);
  return snn;
}

afterEach(() => {
  for (const snn of open) {
    snn.dispose();
    snn.network.dispose();
  }
  open = [];
});

describe('recordRaster', () => {
  it('records every spike at its step, per layer, with the prediction', () => {
    const snn = tinySnn(IF, 4);
    const before = tf.memory().numTensors;
    const r = recordRaster(snn, X, 1, { method: 'diet' });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.method).toBe('diet');
    expect(r.timesteps).toBe(4);
    expect(r.image).toEqual({ label: 1, predicted: 0, width: 1, height: 1, channels: 3, pixels: [1, 0.5, 0] });
    expect(r.layers.map((l) => [l.layer, l.name, l.neurons, l.shown])).toEqual([[0, 'layers.2', 4, 4], [1, 'layers.4', 2, 2]]);
    expect(r.layers[0]!.indices).toEqual([0, 1, 2, 3]);
    expect(r.layers[0]!.events).toEqual(A_EVENTS);
    expect(r.layers[1]!.events).toEqual(B_EVENTS);
  });

  it('keeps firing neurons first when a layer is sampled, reproducibly per seed', () => {
    const snn = tinySnn(IF, 4);
    const picks = new Set<string>();
    for (let seed = 0; seed < 12; seed++) {
      const r = recordRaster(snn, X, 1, { method: 'diet', maxNeuronsPerLayer: 2, seed });
      const a = r.layers[0]!;
      expect(a.shown).toBe(2);
      // Three of A's four neurons fire: the silent a3 is never drawn.
      expect(a.indices!.every((i) => [0, 1, 2].includes(i))).toBe(true);
      expect(a.indices![0]).toBeLessThan(a.indices![1]!);
      // Each row carries exactly its neuron's spikes.
      const expected = a.indices!.flatMap((n, row) => A_FIRES[n]!.map((t) => [t, row])).sort((p, q) => p[0]! - q[0]! || p[1]! - q[1]!);
      expect(a.events).toEqual(expected);
      expect(r.layers[1]!.events).toEqual(B_EVENTS);
      expect(recordRaster(snn, X, 1, { method: 'diet', maxNeuronsPerLayer: 2, seed }).layers[0]!.indices).toEqual(a.indices);
      picks.add(a.indices!.join());
    }
    expect(picks.size).toBeGreaterThan(1);
  });

  it('FS neurons: a graded spike > 0 is an event (all at t = 0: K steps run inside one step)', () => {
    const snn = tinySnn({ kind: 'fs', activation: 'relu' }, 1);
    const r = recordRaster(snn, X, 0, { method: 'fs' });
    expect(r.timesteps).toBe(1);
    // FS-ReLU of 1.2, 0.6, 0.3 is positive, of −1.2 zero.
    expect(r.layers[0]!.events).toEqual([[0, 0], [0, 1], [0, 2]]);
    // B's inputs ≈ 1.5·1.2 and 0.7·0.6 + 0.4·0.3, both > 0.
    expect(r.layers[1]!.events).toEqual([[0, 0], [0, 1]]);
    expect(r.image.predicted).toBe(0);
  });

  it('rejects an image of the wrong size and a bad maxNeuronsPerLayer', () => {
    const snn = tinySnn(IF, 4);
    expect(() => recordRaster(snn, new Float32Array(4), 0, { method: 'diet' })).toThrow(/4 values but the model takes 1×1×3 = 3 \(NHWC\)/);
    expect(() => recordRaster(snn, X, 0, { method: 'diet', maxNeuronsPerLayer: 0 })).toThrow(/maxNeuronsPerLayer must be a positive integer, got 0/);
  });
});

describe('sampleNeurons', () => {
  it('fills with silent neurons evenly spaced over the layer', () => {
    // Silent: 0..6, 8, 9 (9 of them); 3 more needed: silent[0], silent[3], silent[6].
    expect(sampleNeurons(10, [7], 4, 0)).toEqual([0, 3, 6, 7]);
    expect(sampleNeurons(3, [], 5, 0)).toEqual([0, 1, 2]);
  });

  it('chooses among the firing neurons only when enough fire', () => {
    const firing = [2, 5, 8, 11, 14, 17];
    const s = sampleNeurons(20, firing, 3, 4);
    expect(s).toHaveLength(3);
    expect(s.every((i) => firing.includes(i))).toBe(true);
    expect([...s].sort((a, b) => a - b)).toEqual(s);
    expect(sampleNeurons(20, firing, 3, 4)).toEqual(s);
  });
});
