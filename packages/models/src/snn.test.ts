import * as tf from '@tensorflow/tfjs-core';
import { createEncoder } from '@spikelite/encoding';
import { createRng, initEngine } from '@spikelite/engine';
import { ModelSpec, parseWith, type NeuronSpecInput } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { Network } from './network.js';
import { SnnModel } from './snn.js';

const IF: NeuronSpecInput = { kind: 'if', threshold: 1, reset: 'soft' };

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

// x (2 features) → linear 1 (weight 0.6 on x0) → IF → linear 1 (weight 2)
const spec = parseWith(ModelSpec, {
  input: { channels: 2, height: 1, width: 1 },
  classes: 1,
  layers: [{ kind: 'flatten' }, { kind: 'linear', units: 1 }, { kind: 'activation', fn: 'relu' }, { kind: 'linear', units: 1 }],
}, 'test');

function net(): Network {
  const n = Network.create(spec);
  n.params.assign('layers.1.kernel', new Float32Array([0.6, 0]));
  n.params.assign('layers.3.kernel', new Float32Array([2]));
  return n;
}

describe('SnnModel', () => {
  it('hand-worked: IF with soft reset under direct input, output integrated over T', () => {
    const snn = new SnnModel(net(), { timesteps: 4, neuron: IF as never, encoder: createEncoder({ kind: 'direct' }, { timesteps: 4 }) });
    const x = tf.tensor4d([1, 0], [1, 1, 1, 2]);
    const out = snn.forward(x, { recordMembrane: true });
    // I = 0.6 each step: u = 0.6, 1.2→spike (0.2), 0.8, 1.4→spike (0.4): spikes at t = 1, 3.
    expect(Array.from(out.spikeCounts.dataSync())).toEqual([0, 1, 0, 1]);
    // U(t) = 2·Σ s: 0, 2, 2, 4.
    expect(out.membrane!.map((u) => u.dataSync()[0])).toEqual([0, 2, 2, 4]);
    expect(out.logits.dataSync()[0]).toBe(4);
  });

  it('release mode gives the same result and frees everything but its outputs', () => {
    const snn = new SnnModel(net(), { timesteps: 4, neuron: IF as never, encoder: createEncoder({ kind: 'direct' }, { timesteps: 4 }) });
    const x = tf.tensor4d([1, 0, 0.3, 0.2], [2, 1, 1, 2]);
    const before = tf.memory().numTensors;
    const out = snn.forward(x, { release: true });
    expect(tf.memory().numTensors - before).toBe(2); // logits and spikeCounts
    expect(Array.from(out.logits.dataSync())).toEqual([4, 0]);
    tf.dispose([out.logits, out.spikeCounts]);
    expect(() => snn.forward(x, { release: true, training: true })).toThrow(/inference only/);
  });

  it('dropout: one mask per forward pass, reused at every timestep (SPEC §4a)', () => {
    const dspec = parseWith(ModelSpec, {
      input: { channels: 8, height: 1, width: 1 },
      classes: 1,
      layers: [{ kind: 'flatten' }, { kind: 'dropout', rate: 0.5 }, { kind: 'linear', units: 1 }],
    }, 'test');
    const n = Network.create(dspec);
    n.params.assign('layers.2.kernel', new Float32Array(8).fill(1));
    const snn = new SnnModel(n, { timesteps: 3, neuron: IF as never, encoder: createEncoder({ kind: 'direct' }, { timesteps: 3 }) });
    const out = snn.forward(tf.ones([1, 1, 1, 8]), { training: true, rng: createRng(1), recordMembrane: true });
    const u = out.membrane!.map((m) => m.dataSync()[0]!);
    // The same mask every step: U grows by the same amount each step (kept units × 2).
    expect(u[1]! - u[0]!).toBe(u[0]);
    expect(u[2]! - u[1]!).toBe(u[0]);
    expect(u[0]! % 2).toBe(0);
  });
});
