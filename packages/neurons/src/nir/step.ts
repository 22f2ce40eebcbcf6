/**
 * One forward-Euler step of NIR's neurons (nir-neuron.ts in @spikelite/schemas), all
 * parameters per neuron (tensors of the feature shape, or scalars):
 *   current-based (CubaLI/CubaLIF):  i ← i + k_syn·(w_in·S − i)        (then I = i)
 *   leaky (LI, LIF, Cuba*):           v₁ = v + k·((v_leak − v) + r·I),  k = dt/τ
 *   integrator (I, IF):               v₁ = v + g·I,  g = dt·r or r (the convention)
 *   threshold (Threshold):            v₁ = I (no state)
 *   spiking (IF, LIF, CubaLIF, Threshold): s = H(v₁ − v_threshold) (strict), v = s ? v_reset : v₁
 * Order as Norse's feed-forward steps: the input of step t enters the voltage at step t,
 * the threshold is checked after it, and the state kept is the voltage after the reset (`u`).
 * Non-spiking models output v (their membrane), as the integrator neuron does.
 *
 * The Euler updates run as v₁ = β·v + α·I (+ c) with β = 1 − k, α = k·r, c = k·v_leak
 * (and i ← β_syn·i + α_syn·S), coefficients computed once in float64 and rounded to
 * float32 (layer.ts): the same values, and a discrete neuron v ← λ·v + I that was written as
 * τ = dt/(1 − λ), r = τ/dt reads back as exactly λ·v + I (α rounds to 1, c is 0), so an
 * exported spikelite LIF runs bit for bit as it did. Inference only: the spike has no
 * surrogate gradient yet.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NeuronState, StepResult } from '../types.js';

export interface NirStepParams {
  /** β = 1 − dt/τ (τ_mem for Cuba*); null for IF, I and Threshold (no leak). */
  readonly beta: tf.Tensor | null;
  /** α: k·r for leaky models, the integrator gain (dt·r or r) for IF and I, 1 for Threshold. */
  readonly gain: tf.Tensor;
  /** c = k·v_leak; null when every v_leak is 0 (no add). */
  readonly bias: tf.Tensor | null;
  /** False for Threshold: v₁ = α·I, the membrane is not carried. */
  readonly memory: boolean;
  /** null for non-spiking models (LI, I, CubaLI). */
  readonly vThreshold: tf.Tensor | null;
  readonly vReset: tf.Tensor | null;
  /** Current-based models: β_syn = 1 − dt/τ_syn and α_syn = (dt/τ_syn)·w_in. */
  readonly synapse: { readonly beta: tf.Tensor; readonly gain: tf.Tensor } | null;
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
      i = tf.add(tf.mul(p.synapse.beta, state['i']!), tf.mul(p.synapse.gain, input));
      current = i;
    }
    const driven = tf.mul(p.gain, current);
    const v = state.u;
    let v1 = !p.memory ? driven : tf.add(p.beta === null ? v : tf.mul(p.beta, v), driven);
    if (p.bias !== null) v1 = tf.add(v1, p.bias);
    const stateOf = (u: tf.Tensor): NirNeuronState => (i === undefined ? { u } : { u, i });
    if (p.vThreshold === null) return { spikes: v1, state: stateOf(v1) };
    const fired = tf.greater(v1, p.vThreshold);
    const spikes = tf.cast(fired, 'float32');
    const vNext = tf.where(fired, tf.broadcastTo(p.vReset!, v1.shape), v1);
    return { spikes, state: stateOf(vNext) };
  });
}
