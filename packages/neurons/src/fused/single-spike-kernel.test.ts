/** The fused single-spike LIF forward equals the composed step bit for bit (cpu and wasm). */
import * as tf from '@tensorflow/tfjs-core';
import { createRng, wasmHeapMemory } from '@spikelite/engine';
import { NeuronSpec, parseWith } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, useBackend } from '../../test/helpers.js';
import { SingleSpikeLifLayer, singleSpikeLifInitState, type SingleSpikeLifState } from '../single-spike-lif.js';
import { tapeOff } from './single-spike-kernel.js';
import { singleSpikeSimdFor } from './single-spike-simd.js';

const shape = [3, 6, 5, 4];
const T = 6;

interface Trace {
  spikes: number[][];
  u: number[][];
  fired: number[][];
  spikeTime: number[][];
}

/** T steps of `layer` on fixed random inputs; `taped` runs them under tf.grad (the composed ops). */
function trace(layer: SingleSpikeLifLayer, taped: boolean, seed: number): Trace {
  const rng = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const inputs = Array.from({ length: T }, () => Float32Array.from({ length: n }, () => rng.next() * 1.6 - 0.5));
  const out: Trace = { spikes: [], u: [], fired: [], spikeTime: [] };
  let state = singleSpikeLifInitState(shape) as SingleSpikeLifState;
  for (let t = 0; t < T; t++) {
    const x = tf.tensor(inputs[t]!, shape);
    let spikes: tf.Tensor;
    let next: SingleSpikeLifState;
    if (taped) {
      let kept: { s: tf.Tensor; st: SingleSpikeLifState } | null = null;
      tf.grad((v: tf.Tensor) => {
        expect(tapeOff()).toBe(false);
        const r = layer.step(v, state, t);
        const st = r.state as SingleSpikeLifState;
        kept = { s: tf.keep(r.spikes), st: { u: tf.keep(st.u), fired: tf.keep(st.fired), spikeTime: tf.keep(st.spikeTime) } };
        return tf.sum(r.spikes);
      })(x).dispose();
      spikes = kept!.s;
      next = kept!.st;
    } else {
      expect(tapeOff()).toBe(true);
      const r = layer.step(x, state, t);
      spikes = r.spikes;
      next = r.state as SingleSpikeLifState;
    }
    out.spikes.push(Array.from(spikes.dataSync()));
    out.u.push(Array.from(next.u.dataSync()));
    out.fired.push(Array.from(next.fired.dataSync()));
    out.spikeTime.push(Array.from(next.spikeTime.dataSync()));
    state = next;
    x.dispose();
  }
  return out;
}

const CASES = [
  { afterSpike: 'reset', surrogate: { kind: 'linear', gamma: 0.3 }, leak: 0.9, threshold: 0.7 },
  { afterSpike: 'freeze', surrogate: { kind: 'linear', gamma: 0.3 }, leak: 1, threshold: 0.4 },
  { afterSpike: 'reset', surrogate: { kind: 'stdb' }, leak: 0.8, threshold: 0.5 },
  { afterSpike: 'freeze', surrogate: { kind: 'arctan' }, leak: 0.95, threshold: 0.6 },
] as const;

describe.each(BACKENDS)('fused single-spike LIF forward on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  it.each(CASES.map((c, i) => [i, c] as const))('case %i equals the composed step bit for bit over T steps', (i, c) => {
    const spec = parseWith(NeuronSpec, { kind: 'singleSpikeLif', afterSpike: c.afterSpike, surrogate: c.surrogate, leak: c.leak, threshold: c.threshold, trainLeak: true }, 'neuron');
    const layer = new SingleSpikeLifLayer(spec as Extract<NeuronSpec, { kind: 'singleSpikeLif' }>, { name: `ss-fused-${backend}-${i}`, channels: 4, timesteps: T });
    expect(tf.getBackend()).toBe(backend);
    const composed = trace(layer, true, 10 + i);
    const fused = trace(layer, false, 10 + i);
    expect(fused).toEqual(composed);
    // The trace means something: neurons fire, once each, at various steps.
    const spikesTotal = composed.spikes.flat().reduce((a, b) => a + b, 0);
    expect(spikesTotal).toBeGreaterThan(10);
    expect(Math.max(...composed.fired[T - 1]!)).toBe(1);
    expect(new Set(composed.spikeTime[T - 1]).size).toBeGreaterThan(2);
    layer.dispose();
  });

  it('the SIMD module compiles (wasm runs the heap kernel, not the JavaScript fallback)', () => {
    if (backend !== 'wasm') return;
    const memory = wasmHeapMemory(tf.backend())!;
    expect(singleSpikeSimdFor(memory)).not.toBeNull();
  });

  it('a non-positive threshold takes the exact test and still matches', () => {
    const spec = parseWith(NeuronSpec, { kind: 'singleSpikeLif', surrogate: { kind: 'linear', gamma: 0.3 } }, 'neuron');
    const layer = new SingleSpikeLifLayer(spec as Extract<NeuronSpec, { kind: 'singleSpikeLif' }>, { name: `ss-neg-${backend}`, channels: 4, timesteps: T });
    layer.threshold.assign(tf.fill(layer.threshold.shape, -0.25));
    expect(trace(layer, false, 3)).toEqual(trace(layer, true, 3));
    layer.dispose();
  });
});
