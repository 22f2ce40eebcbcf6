import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BACKENDS, useBackend, values } from '../test/helpers.js';
import { lifStep, type LifParams, type LifState } from './lif.js';
import { createNeuronLayer } from './registry.js';
import { firstSpikeTimes, LAST_SPIKE_INIT, updateFirstSpike } from './spike-time.js';
import { createSurrogate } from './surrogates.js';
import type { StepNeuronLayer } from './types.js';

describe.each(BACKENDS)('LIF details on %s', (backend) => {
  it('STDB: ∂s/∂I = α·exp(−β·((t−1) − t_last))/θ, and lastSpike tracks spikes', async () => {
    await useBackend(backend);
    const layer = createNeuronLayer(
      { kind: 'lif', threshold: 2, surrogate: { kind: 'stdb', alpha: 0.5, beta: 0.2 } },
      { name: `stdb-${backend}`, channels: 1, timesteps: 5 },
    ) as StepNeuronLayer;
    const init = layer.initState([3]);
    expect(values(init['lastSpike']!)).toEqual([LAST_SPIKE_INIT, LAST_SPIKE_INIT, LAST_SPIKE_INIT]);
    const t = 4;
    const last = [LAST_SPIKE_INIT, 1, 3];
    const [grad, spikes, newLast] = tf.tidy(() => {
      const state = { u: tf.zeros([3]), lastSpike: tf.tensor1d(last) };
      const I = tf.tensor1d([3, 0, 5]); // z = I/θ − 1 = 0.5, −1, 1.5
      const g = tf.grad((x: tf.Tensor) => tf.sum(layer.step(x, state, t).spikes))(I);
      const r = layer.step(I, state, t);
      return [values(g), values(r.spikes), values(r.state['lastSpike']!)];
    });
    layer.dispose();
    last.forEach((l, i) => expect(grad[i]).toBeCloseTo((0.5 * Math.exp(-0.2 * (t - 1 - l))) / 2, 6));
    expect(grad[2]).toBeCloseTo(0.25, 6); // spiked at t − 1: Δt = 0
    expect(spikes).toEqual([1, 0, 1]);
    expect(newLast).toEqual([4, 1, 4]);
  });

  for (const implementation of ['fused', 'composed'] as const) {
    it(`detachReset (${implementation}): the reset passes gradient only when not detached`, async () => {
      await useBackend(backend);
      const sg = createSurrogate({ kind: 'linear', gamma: 0.3 });
      const du = (detachReset: boolean, reset: 'soft' | 'hard') =>
        tf.tidy(() => {
          const p: LifParams = { leak: tf.scalar(1), threshold: tf.scalar(2), reset, order: 'current', detachReset, surrogate: sg, implementation };
          const state: LifState = { u: tf.zeros([2]) };
          // z = I/θ − 1 = 0.5 (spikes) and −0.5 (does not).
          return values(tf.grad((x: tf.Tensor) => tf.sum(lifStep(x, state, p, 0).state['u']!))(tf.tensor1d([3, 1])));
        });
      // f'(z) = 0.3·(1 − 0.5) = 0.15 at both points.
      expect(du(true, 'soft')).toEqual([1, 1]);
      // u = u₁ − θ·s: ∂u/∂I = 1 − θ·f'(z)/θ = 0.85 where the surrogate is active.
      expect(du(false, 'soft')[0]).toBeCloseTo(0.85, 6);
      expect(du(false, 'soft')[1]).toBeCloseTo(0.85, 6);
      expect(du(true, 'hard')).toEqual([0, 1]); // u = u₁·(1 − s̄): 0 after a spike
      // u = u₁·(1 − s): ∂u/∂I = (1 − s) − u₁·f'(z)/θ = 0 − 3·0.15/2 and 1 − 1·0.15/2.
      const hard = du(false, 'hard');
      expect(hard[0]).toBeCloseTo(-0.225, 6);
      expect(hard[1]).toBeCloseTo(0.925, 6);
    });
  }

  it('initialPotential: u(0) = f·θ per channel, then the usual steps (hand-worked)', async () => {
    await useBackend(backend);
    const layer = createNeuronLayer(
      { kind: 'lif', leak: 1, granularity: 'channel', initialPotential: 0.5, trainLeak: false },
      { name: `u0-${backend}`, channels: 2, timesteps: 3 },
    ) as StepNeuronLayer;
    layer.setParameter('threshold', [1, 2]);
    // Channel 0 (θ = 1): 0.5 → +0.3 = 0.8 → 1.1 fires, soft reset 0.1 → 0.4.
    // Channel 1 (θ = 2): 1.0 → +0.3 = 1.3 → 1.6 → 1.9, never fires (without u(0) it would be at 0.9).
    let state = layer.initState([1, 2]);
    expect(values(state.u!)).toEqual([0.5, 1]);
    const trace: number[][] = [];
    for (let t = 0; t < 3; t++) {
      const I = tf.tensor2d([[0.3, 0.3]]);
      const r = layer.step(I, state, t);
      trace.push([...values(r.spikes), ...values(r.state.u!)]);
      I.dispose();
      tf.dispose(Object.values(state));
      state = r.state;
    }
    tf.dispose(Object.values(state));
    layer.dispose();
    const expected = [[0, 0, 0.8, 1.3], [1, 0, 0.1, 1.6], [0, 0, 0.4, 1.9]];
    trace.forEach((row, t) => row.forEach((v, i) => expect(v).toBeCloseTo(expected[t]![i]!, 5)));
  });

  it('first-spike helpers', async () => {
    await useBackend(backend);
    const [first, fromTrain] = tf.tidy(() => {
      let f = tf.fill([3], -1);
      const train = [
        [0, 1, 0],
        [1, 1, 0],
        [0, 0, 0],
      ];
      train.forEach((s, t) => (f = updateFirstSpike(f, tf.tensor1d(s), t)));
      return [values(f), values(firstSpikeTimes(tf.tensor2d(train)))];
    });
    expect(first).toEqual([1, 0, -1]);
    expect(fromTrain).toEqual([1, 0, 3]); // never fired → T
  });
});
