/**
 * The one-timestep general-SNN neuron (SPEC §2a), functional core. Choices beyond the SPEC
 * are documented in README-section.md; in short, per timestep:
 *
 *     p       = decay·u_prev·(1 − s_prev) + I              plain LIF potential, hard reset
 *     split p into windows p1..pn (see windows.ts) and, in sequence,
 *     u_1     = p_1 + decay·P(p_1, p_2)
 *     u_2     = p_2 + decay·P(u_1, p_2)
 *     u_k     = p_k + decay·P(p_k, u_{k−1})                k ≥ 3
 *     u       = merge(u_1..u_n);   s = H(u − V_th)
 *
 * with P(m_a, m_b) = 2·sin((π/4)·m_a·cos((π/4)·m_b)) ∈ [−2, 2], the SPEC's pairs (g1, g2),
 * (g1′, g2), (g3, g2′), (g4, g3′): an unprimed g_k is the window's own potential p_k (at T = 1
 * the stimulus I_k), a primed one the membrane u_k already computed in this step. At T = 1
 * (u_prev = 0) this is the SPEC's u = u_in·decay + I with u_in = P(...). Projection 'none' gives
 * u = p: a plain one-step LIF, at T = 1 the threshold unit s = H(I − V_th).
 * The spike's gradient is the surrogate (SPEC: rectangular 1[|u − V_th| < 0.5]); P is
 * differentiated exactly by autograd.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { SurrogateSpec } from '@spikelite/schemas';
import { surrogateDerivative } from '../fs/surrogate.js';
import { generalSplitWindows } from './windows.js';

export type GeneralProjection = 'sincos' | 'none';

export interface GeneralParams {
  /** SPEC §2a: 0.4. */
  readonly decay: number;
  /** V_th; SPEC §2a: 0.5. */
  /** V_th: a number, or a scalar tensor (the layer's non-trainable variable). */
  readonly threshold: number | tf.Tensor;
  readonly projection: GeneralProjection;
  /** Windows g1..gn; SPEC: 4. */
  readonly windows: number;
  /** SPEC §2a: rectangular, width 1. */
  readonly surrogate: SurrogateSpec;
}

export interface GeneralState {
  /** Membrane after the last step's hard reset: u·(1 − s). */
  readonly u: tf.Tensor;
}

/** SPEC §2a: the projection function 2·sin((π/4)·m_a·cos((π/4)·m_b)), range [−2, 2]. */
export function sincosProjection(ma: tf.Tensor, mb: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(2, tf.sin(tf.mul(Math.PI / 4, tf.mul(ma, tf.cos(tf.mul(Math.PI / 4, mb)))))));
}

/** s = H(x) with ∂s/∂x = the surrogate's derivative at x (x = u − V_th). */
export function generalSpikeFunction(surrogate: SurrogateSpec): (x: tf.Tensor) => tf.Tensor {
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    save([x]);
    return {
      value: tf.cast(tf.greater(x, 0), 'float32'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, surrogateDerivative(surrogate, saved[0]!)),
    };
  }) as (x: tf.Tensor) => tf.Tensor;
}

/**
 * The membrane of one step before the threshold: u, and u_in (the merged projections; zeros
 * for projection 'none'). Differentiable; call inside tf.tidy.
 */
export function generalMembrane(
  input: tf.Tensor,
  state: GeneralState | null,
  params: Pick<GeneralParams, 'decay' | 'projection' | 'windows'>,
): { u: tf.Tensor; uIn: tf.Tensor } {
  const { decay } = params;
  // state.u is stored after the reset, so it already carries the (1 − s_prev) factor
  const p = state === null ? input : tf.add(tf.mul(decay, state.u), input);
  if (params.projection === 'none') return { u: p, uIn: tf.zerosLike(p) };
  const split = generalSplitWindows(p, params.windows);
  const ps = split.parts;
  const n = ps.length;
  const us: tf.Tensor[] = [];
  const uIns: tf.Tensor[] = [];
  for (let k = 0; k < n; k++) {
    const pk = ps[k]!;
    let uIn: tf.Tensor;
    if (k === 0) uIn = sincosProjection(pk, ps[n > 1 ? 1 : 0]!); // (g1, g2)
    else if (k === 1) uIn = sincosProjection(us[0]!, pk); // (g1′, g2)
    else uIn = sincosProjection(pk, us[k - 1]!); // (g3, g2′), (g4, g3′), ...
    uIns.push(uIn);
    us.push(tf.add(pk, tf.mul(decay, uIn)));
  }
  return { u: split.merge(us), uIn: split.merge(uIns) };
}

/**
 * One timestep (`state` null = the zero state). Returns the spikes and the next state, whose
 * `u` is the membrane after the hard reset. Differentiable through the surrogate (also along
 * the reset path u·(1 − s), as in STBP).
 */
export function generalStep(
  input: tf.Tensor,
  state: GeneralState | null,
  params: GeneralParams,
): { spikes: tf.Tensor; state: GeneralState } {
  return tf.tidy(() => {
    const { u } = generalMembrane(input, state, params);
    const s = generalSpikeFunction(params.surrogate)(tf.sub(u, params.threshold));
    return { spikes: s, state: { u: tf.mul(u, tf.sub(1, s)) } };
  });
}
