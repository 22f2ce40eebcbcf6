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

  it('onState and onOutput: the membrane after each step and the per-step output before integration', () => {
    const snn = new SnnModel(net(), { timesteps: 4, neuron: IF as never, encoder: createEncoder({ kind: 'direct' }, { timesteps: 4 }) });
    const x = tf.tensor4d([1, 0], [1, 1, 1, 2]);
    const u: number[] = [];
    const out: number[] = [];
    for (const release of [false, true]) {
      u.length = 0;
      out.length = 0;
      const r = snn.forward(x, { release, onState: (l, t, st) => (u[t] = st['u']!.dataSync()[0]!), onOutput: (t, o) => (out[t] = o.dataSync()[0]!) });
      // u = 0.6, 1.2 → 0.2 after the soft reset, 0.8, 1.4 → 0.4 (float32); out = 2·s.
      expect(u.map((v) => Number(v.toFixed(6)))).toEqual([0.6, 0.2, 0.8, 0.4]);
      expect(out).toEqual([0, 2, 0, 2]);
      tf.dispose([r.logits, r.spikeCounts]);
    }
  });

  it('release mode gives the same result and frees everything but its outputs', () => {
    const snn = new SnnModel(net(), { timesteps: 4, neuron: IF as never, encoder: createEncoder({ kind: 'direct' }, { timesteps: 4 }) });
    const x = tf.tensor4d([1, 0, 0.3, 0.2], [2, 1, 1, 2]);
    const before = tf.memory().numTensors;
    const out = snn.forward(x, { release: true });
    expect(tf.memory().numTensors - before).toBe(2); // logits and spikeCounts (no countInputs)
    expect(out.inputCounts).toBeNull();
    expect(Array.from(out.logits.dataSync())).toEqual([4, 0]);
    tf.dispose([out.logits, out.spikeCounts]);
    const counted = snn.forward(x, { release: true, countInputs: true });
    expect(tf.memory().numTensors - before).toBe(3); // logits, spikeCounts, inputCounts
    tf.dispose([counted.logits, counted.spikeCounts, counted.inputCounts!]);
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

describe('SnnModel input counts', () => {
  it("each weight layer's input events per step: after a max pool, the OR of the window (checked against tf.maxPool of the spikes)", () => {
    const pooled = parseWith(ModelSpec, {
      input: { channels: 1, height: 4, width: 4 },
      classes: 2,
      layers: [
        { kind: 'conv2d', filters: 2, kernelSize: 3 }, { kind: 'activation', fn: 'relu' }, { kind: 'maxPool', poolSize: 2 },
        { kind: 'flatten' }, { kind: 'linear', units: 2 },
      ],
    }, 'test');
    const n = Network.create(pooled, { seed: 4 });
    const snn = new SnnModel(n, { timesteps: 3, neuron: { ...IF, threshold: 0.05 } as never, encoder: createEncoder({ kind: 'direct' }, { timesteps: 3 }) });
    const rng = createRng(9);
    const x = tf.tensor4d(Float32Array.from({ length: 2 * 16 }, () => rng.next()), [2, 4, 4, 1]);
    const spikesPerStep: number[] = [];
    const pooledPerStep: number[] = [];
    const out = snn.forward(x, {
      countInputs: true,
      onSpikes: (_l, _t, s) => {
        spikesPerStep.push(tf.sum(s).dataSync()[0]!);
        pooledPerStep.push(tf.sum(tf.maxPool(s as tf.Tensor4D, 2, 2, 'valid')).dataSync()[0]!);
      },
    });
    const counts = out.inputCounts!.arraySync() as number[][];
    expect(out.inputCounts!.shape).toEqual([2, 3]);
    // Layer 0 is fed by the image: its non-zero pixels at every step (32: rng.next() is never 0).
    for (const c of counts[0]!) expect(c).toBe(32);
    // Layer 1 receives the pooled spikes, more per element than the neurons emit per element.
    expect(counts[1]).toEqual(pooledPerStep);
    expect(pooledPerStep.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(pooledPerStep.reduce((a, b) => a + b, 0) / 8).toBeGreaterThan(spikesPerStep.reduce((a, b) => a + b, 0) / 32);
    // release mode counts the same.
    const rel = snn.forward(x, { release: true, countInputs: true });
    expect(rel.inputCounts!.arraySync()).toEqual(counts);
    tf.dispose([x, out.logits, out.spikeCounts, out.inputCounts!, rel.logits, rel.spikeCounts, rel.inputCounts!]);
    snn.dispose();
    n.dispose();
  });
});
