/**
 * `evaluate`, the one run measurement: the input spikes it reports are the spikes the
 * evaluated pass ran on (checked against an independent count: the first layer's summed
 * input, and the lit pixels of a temporal code), the most spikes of one neuron against a plain
 * per-image count, and the progress callback leaves every number unchanged. cpu and wasm.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ImageSet } from '@spikelite/data';
import { createEncoder } from '@spikelite/encoding';
import { createRng, initEngine } from '@spikelite/engine';
import { Network, SnnModel } from '@spikelite/models';
import { ModelSpec, NeuronSpec, parseWith, type EncodingSpecInput, type NeuronSpecInput } from '@spikelite/schemas';
import { describe, expect, it } from 'vitest';
import { evaluate } from './evaluate.js';
import { annTarget, snnTarget } from './target.js';

const spec = parseWith(ModelSpec, {
  input: { channels: 1, height: 6, width: 6 }, classes: 3,
  layers: [{ kind: 'conv2d', filters: 3, kernelSize: 3 }, { kind: 'activation', fn: 'relu' }, { kind: 'flatten' }, { kind: 'linear', units: 3 }],
}, 'toy');

function set(count: number, seed: number, dark = 0): ImageSet {
  const rng = createRng(seed);
  // A fraction `dark` of pixels is exactly 0 (never a temporal spike).
  const images = Float32Array.from({ length: count * 36 }, () => (rng.next() < dark ? 0 : rng.next()));
  return { images, labels: Int32Array.from({ length: count }, () => rng.int(3)), count, height: 6, width: 6, channels: 1, classes: 3 };
}

function snn(encoding: EncodingSpecInput, neuron: NeuronSpecInput, T: number): SnnModel {
  return new SnnModel(Network.create(spec, { seed: 4 }), {
    timesteps: T, neuron: parseWith(NeuronSpec, neuron, 'neuron'), encoder: createEncoder(encoding as never, { timesteps: T, rng: createRng(0) }),
  });
}

const target = (s: SnnModel) => snnTarget(s, { kind: 'ce', on: 'final', labelSmoothing: 0 });

describe.each(['cpu', 'wasm'] as const)('evaluate on %s', (backend) => {
  it('rate input: the input spikes are those of the evaluated pass (= layer 1\'s summed input of 0/1 spikes)', async () => {
    await initEngine({ backend });
    const s = snn({ kind: 'rate' }, { kind: 'lif', leak: 0.9, threshold: 0.3 }, 4);
    const data = set(40, 1);
    const r = evaluate(target(s), data, { batchSize: 16 });
    // Independent: the first weight layer's input summed by the model itself (inputEventsPerElement[0]
    // is per element over all steps; rate spikes are 0/1, so the sum is their count).
    expect(r.input!.analogSteps).toBe(0);
    expect(r.input!.inputSpikesPerElement).toBeCloseTo(r.inputEventsPerElement![0]!, 6);
    expect(r.input!.spikesPerElementByStep).toHaveLength(4);
    expect(r.input!.spikesPerElementByStep.reduce((a, v) => a + v, 0)).toBeCloseTo(r.input!.inputSpikesPerElement, 9);
    // Bernoulli(pixel) spikes: the mean pixel per step, within sampling noise.
    const mean = data.images.reduce((a, v) => a + v, 0) / data.images.length;
    for (const z of r.input!.spikesPerElementByStep) expect(Math.abs(z - mean)).toBeLessThan(0.05);
    s.dispose();
  });

  it('hybrid input: one analog step, then one temporal spike per lit pixel', async () => {
    await initEngine({ backend });
    const s = snn({ kind: 'hybrid', analogSteps: 1 }, { kind: 'singleSpikeLif', threshold: 0.2 }, 5);
    const data = set(30, 2, 0.4);
    const lit = data.images.filter((v) => v > 0).length / data.images.length;
    const r = evaluate(target(s), data, { maxSpikesPerNeuron: true });
    expect(r.input!.analogSteps).toBe(1);
    expect(r.input!.spikesPerElementByStep[0]).toBe(0);
    expect(r.input!.inputSpikesPerElement).toBeCloseTo(lit, 9);
    // Single-spike neurons: some fire, none twice, per image (counted here with onSpikes).
    let worst = 0;
    tf.tidy(() => {
      const x = tf.tensor4d(data.images, [data.count, 6, 6, 1]);
      let sum: tf.Tensor | null = null;
      s.forward(x, { onSpikes: (layer, _t, sp) => void (layer === 0 && (sum = sum === null ? sp : tf.add(sum, sp))) });
      worst = tf.max(sum!).dataSync()[0]!;
    });
    expect(worst).toBe(1);
    expect(r.maxSpikesPerNeuron).toEqual([worst]);
    s.dispose();
  });

  it('LIF neurons that fire several times: maxSpikesPerNeuron is the per-image maximum, not the batch sum', async () => {
    await initEngine({ backend });
    const s = snn({ kind: 'direct' }, { kind: 'if', threshold: 0.05 }, 6);
    const data = set(20, 3);
    const x = tf.tensor4d(data.images, [data.count, 6, 6, 1]);
    const expected = tf.tidy(() => {
      let sum: tf.Tensor | null = null;
      s.forward(x, { onSpikes: (layer, _t, sp) => void (layer === 0 && (sum = sum === null ? sp : tf.add(sum, sp))) });
      return tf.max(sum!).dataSync()[0]!;
    });
    x.dispose();
    const r = evaluate(target(s), data, { batchSize: 7, maxSpikesPerNeuron: true });
    expect(expected).toBeGreaterThan(1);
    expect(r.maxSpikesPerNeuron).toEqual([expected]);
    // Direct input: analog at every step, no input spikes.
    expect(r.input).toEqual({ analogSteps: 6, inputSpikesPerElement: 0, spikesPerElementByStep: [0, 0, 0, 0, 0, 0] });
    s.dispose();
  });

  it('onProgress reports each batch and changes nothing (stochastic input included); an ANN has no input measurement', async () => {
    await initEngine({ backend });
    const data = set(40, 4);
    const make = () => target(snn({ kind: 'rate' }, { kind: 'lif', leak: 0.9, threshold: 0.3 }, 3));
    const plain = evaluate(make(), data, { batchSize: 16 });
    const seen: Array<[number, number]> = [];
    const watched = evaluate(make(), data, { batchSize: 16, onProgress: (d, t) => seen.push([d, t]) });
    expect(watched).toEqual(plain);
    expect(plain.spikesPerNeuron).toBeGreaterThan(0);
    expect(seen).toEqual([[16, 40], [32, 40], [40, 40]]);
    const ann = evaluate(annTarget(Network.create(spec, { seed: 4 })), data);
    expect(ann.input).toBeNull();
    expect(ann.spikesPerNeuron).toBeNull();
    expect(ann.maxSpikesPerNeuron).toBeUndefined();
  });

  it('does not leak tensors', async () => {
    await initEngine({ backend });
    const s = snn({ kind: 'hybrid', analogSteps: 1 }, { kind: 'singleSpikeLif', threshold: 0.2 }, 4);
    const t = target(s);
    const data = set(20, 5);
    evaluate(t, data, { maxSpikesPerNeuron: true });
    const before = tf.memory().numTensors;
    evaluate(t, data, { maxSpikesPerNeuron: true, batchSize: 8 });
    expect(tf.memory().numTensors).toBe(before);
    s.dispose();
  });
});
