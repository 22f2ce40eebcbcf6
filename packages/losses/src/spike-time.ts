import * as tf from '@tensorflow/tfjs-core';
import { LossError } from './errors.js';
import { finalMembrane, softmaxCe } from './ce.js';
import { toTargets } from './targets.js';

export interface SpikeTimes {
  /**
   * [N, C] float, 1-based continuous time of each output neuron's first threshold crossing,
   * in (0, T]; T + 1 for a neuron that never crosses. Differentiable w.r.t. the membrane
   * (and the threshold, when it is a tensor) at the two steps around the crossing.
   */
  readonly times: tf.Tensor2D;
  /** Per neuron (row-major N×C): the 1-based step at which it first crossed, or 0 if silent. */
  readonly step: Int32Array;
}

/**
 * First threshold crossing of each neuron in a membrane trace [T, N, C] (entry k is U(k + 1),
 * the pre-reset potential; U(0) = 0). With t_k the first step with U(t_k) ≥ θ:
 *
 *   t = t_k − 1 + (θ − U(t_k − 1)) / (U(t_k) − U(t_k − 1))
 *
 * the time at which the straight line between the two samples reaches θ (SpikeProp-style).
 * A neuron that never reaches θ gets T + 1 and no gradient. `threshold` is a number or a
 * tensor broadcastable to [N, C] (e.g. per-class [C]); it should be > 0 = U(0).
 */
export function firstSpikeTimes(membrane: tf.Tensor, threshold: number | tf.Tensor): SpikeTimes {
  if (membrane.rank !== 3) {
    throw new LossError(`membrane trace must be [T, N, C], got shape [${membrane.shape.join(', ')}]`);
  }
  const [T, N, C] = membrane.shape as [number, number, number];
  const NC = N * C;
  const u = membrane.dataSync();
  const theta = tf.tidy(() => tf.broadcastTo(tf.cast(typeof threshold === 'number' ? tf.scalar(threshold) : threshold, 'float32'), [N, C]).dataSync());
  const step = new Int32Array(NC);
  const atK = new Float32Array(T * NC); // one-hot over T at the crossing step
  const atPrev = new Float32Array(T * NC); // one-hot at the step before (all zero when that is U(0))
  const fixed = new Uint8Array(NC); // time not interpolated: silent, or a degenerate crossing
  const fixedTime = new Float32Array(NC);
  const kMinus1 = new Float32Array(NC);
  for (let j = 0; j < NC; j++) {
    const th = theta[j]!;
    let k = -1;
    for (let t = 0; t < T; t++) {
      if (u[t * NC + j]! >= th) {
        k = t;
        break;
      }
    }
    if (k < 0) {
      fixed[j] = 1;
      fixedTime[j] = T + 1;
      continue;
    }
    step[j] = k + 1;
    kMinus1[j] = k; // t_k − 1 with t_k = k + 1
    atK[k * NC + j] = 1;
    if (k > 0) atPrev[(k - 1) * NC + j] = 1;
    const prev = k > 0 ? u[(k - 1) * NC + j]! : 0;
    if (!(u[k * NC + j]! > prev) || prev >= th) {
      // only possible when θ ≤ U(0) = 0: no rising edge to interpolate on
      fixed[j] = 1;
      fixedTime[j] = k + 1;
    }
  }
  const times = tf.tidy(() => {
    const shape: [number, number, number] = [T, N, C];
    const uK = tf.sum(tf.mul(membrane, tf.tensor3d(atK, shape)), 0);
    const uPrev = tf.sum(tf.mul(membrane, tf.tensor3d(atPrev, shape)), 0);
    const isFixed = tf.tensor2d(fixed, [N, C], 'bool');
    // Denominators of fixed entries are set to 1 so that no Inf/NaN reaches the gradient.
    const rise = tf.where(isFixed, tf.onesLike(uK), tf.sub(uK, uPrev));
    const th = typeof threshold === 'number' ? tf.scalar(threshold) : tf.cast(threshold, 'float32');
    const frac = tf.div(tf.sub(th, uPrev), rise);
    const interpolated = tf.add(tf.tensor2d(kMinus1, [N, C]), frac);
    return tf.where(isFixed, tf.tensor2d(fixedTime, [N, C]), interpolated) as tf.Tensor2D;
  });
  return { times, step };
}

export interface SpikeTimeCeOptions {
  /** θ of the output neurons: a number or a tensor broadcastable to [N, C]. */
  readonly threshold: number | tf.Tensor;
  readonly membraneWeight?: number;
  readonly timeWeight?: number;
}

/**
 * Hybrid-encoding loss (SPEC §1c; the paper's formula is UNKNOWN, this is spikelite's choice):
 *   L = membraneWeight·CE(softmax(U(T))) + timeWeight·CE(softmax(−t_out))
 * with t_out from {@link firstSpikeTimes}: the true class is pushed to cross θ first.
 */
export function spikeTimeCe(membrane: tf.Tensor, labels: tf.Tensor, options: SpikeTimeCeOptions): tf.Scalar {
  const mw = options.membraneWeight ?? 1;
  const tw = options.timeWeight ?? 1;
  if (!(mw >= 0 && tw >= 0 && mw + tw > 0)) {
    throw new LossError(`membraneWeight and timeWeight must be ≥ 0 and not both 0, got ${mw} and ${tw}`);
  }
  if (membrane.rank !== 3) {
    throw new LossError(`spikeTimeCe needs the membrane trace [T, N, C], got shape [${membrane.shape.join(', ')}]`);
  }
  return tf.tidy(() => {
    const [, N, C] = membrane.shape as [number, number, number];
    const y = toTargets(labels, N, C);
    let loss = tf.scalar(0);
    if (mw > 0) loss = tf.add(loss, tf.mul(mw, softmaxCe(finalMembrane(membrane), y)));
    if (tw > 0) {
      const { times } = firstSpikeTimes(membrane, options.threshold);
      loss = tf.add(loss, tf.mul(tw, softmaxCe(tf.neg(times), y)));
    }
    return loss as tf.Scalar;
  });
}
