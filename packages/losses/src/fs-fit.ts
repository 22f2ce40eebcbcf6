import * as tf from '@tensorflow/tfjs-core';
import { LossError } from './errors.js';

/**
 * FS coefficient fit loss (SPEC §3c, `find_coeffs.py`):
 *   mean(imp·(f − f̂)²) + c·Σ_t ( mean(max(|v_s(t)| − 1, 0)) )²
 * `f`, `fhat` (and `importance`, default 1): the target activation and the FS neuron's output
 * on the same grid of P points, any equal shapes. `vs`: the scaled potentials
 * v_s = (v − T(t))/(|v| + 1) of the K steps, as a tensor [K, ...] (first axis = step) or a list
 * of K tensors. `c`: the regulariser weight (drawn from U(0.08, 0.12) per step by the caller or
 * by `createLoss`).
 */
export function fsFitLoss(
  f: tf.Tensor,
  fhat: tf.Tensor,
  vs: tf.Tensor | readonly tf.Tensor[],
  c: number | tf.Scalar,
  importance?: tf.Tensor,
): tf.Scalar {
  if (f.size !== fhat.size) throw new LossError(`f and fhat differ in size: ${f.size} vs ${fhat.size}`);
  return tf.tidy(() => {
    const err = tf.square(tf.sub(f, fhat));
    const fit = tf.mean(importance === undefined ? err : tf.mul(importance, err));
    const steps = Array.isArray(vs) ? (vs as readonly tf.Tensor[]) : tf.unstack(vs as tf.Tensor);
    if (steps.length === 0) return fit as tf.Scalar;
    const penalties = steps.map((v) => tf.square(tf.mean(tf.relu(tf.sub(tf.abs(v), 1)))));
    return tf.add(fit, tf.mul(c, tf.addN(penalties))) as tf.Scalar;
  });
}
