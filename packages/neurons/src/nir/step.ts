/**
 * One forward-Euler step of NIR's neurons (nir-neuron.ts in @spikelite/schemas), all
 * parameters per neuron (tensors of the feature shape, or scalars):
 *   current-based (CubaLI/CubaLIF):  i ← i + k_syn·(w_in·S − i)        (then I = i)
 *   leaky (LI, LIF, Cuba*):           v₁ = v + k·((v_leak − v) + r·I),  k = dt/τ
 *   integrator (I, IF):               v₁ = v + g·I,  g = dt·r or r (the convention)
 *   spiking (IF, LIF, CubaLIF):       s = H(v₁ − v_threshold) (strict), v = s ? v_reset : v₁
 * Order as Norse's feed-forward steps: the input of step t enters the voltage at step t,
 * the threshold is checked after it, and the state kept is the voltage after the reset (`u`).
 * Non-spiking models output v (their membrane), as the integrator neuron does.
 * Inference only: the spike has no surrogate gradient yet.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NeuronState, StepResult } from '../types.js';

export interface NirStepParams {
  /** dt/τ (τ_mem for Cuba*); null for IF and I. */
  readonly k: tf.Tensor | null;
  /** r for leaky models; the integrator gain (dt·r or r) for IF and I. */
  readonly gain: tf.Tensor;
  /** null for IF and I. */
  readonly vLeak: tf.Tensor | null;
  /** null for non-spiking models (LI, I, CubaLI). */
  readonly vThreshold: tf.Tensor | null;
  readonly vReset: tf.Tensor | null;
  /** Current-based models: dt/τ_syn and w_in. */
  readonly synapse: { readonly k: tf.Tensor; readonly wIn: tf.Tensor } | null;
}

/** `u` (membrane, as every neuron kind names it), and `i` (synaptic current) for current-based models. */
export interface NirNeuronState extends NeuronState {
  readonly u: tf.Tensor;
}

export function nirNeuronInitState(shape: readonly number[], currentBased: boolean): NirNeuronState {
  const u = tf.zeros([...shape]);
  return currentBased ? { u, i: tf.zeros([...shape]) } : { u };
}

export function nirNeuronStep(input: tf.Tensor, state: NirNeuronState, p: NirStepParams): StepResult {
  return tf.tidy(() => {
    let current = input;
    let i: tf.Tensor | undefined;
    if (p.synapse !== null) {
      const prev = state['i']!;
      i = tf.add(prev, tf.mul(p.synapse.k, tf.sub(tf.mul(p.synapse.wIn, input), prev)));
      current = i;
    }
    const v = state.u;
    const v1 =
      p.k === null
        ? tf.add(v, tf.mul(p.gain, current))
        : tf.add(v, tf.mul(p.k, tf.add(tf.sub(p.vLeak!, v), tf.mul(p.gain, current))));
    const stateOf = (u: tf.Tensor): NirNeuronState => (i === undefined ? { u } : { u, i });
    if (p.vThreshold === null) return { spikes: v1, state: stateOf(v1) };
    const fired = tf.greater(v1, p.vThreshold);
    const spikes = tf.cast(fired, 'float32');
    const vNext = tf.where(fired, tf.broadcastTo(p.vReset!, v1.shape), v1);
    return { spikes, state: stateOf(vNext) };
  });
}
