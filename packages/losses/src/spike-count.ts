import * as tf from '@tensorflow/tfjs-core';
import { LossError } from './errors.js';
import { toTargets } from './targets.js';

export interface SpikeCountOptions {
  /** Target count of the true class's neuron over all T steps. */
  readonly targetTrue: number;
  /** Target count of every other output neuron. */
  readonly targetFalse: number;
}

/**
 * mean over N and C of (Σ_t s(t) − target)², with target = targetTrue for the labelled class
 * and targetFalse otherwise (one-hot / soft labels mix the two linearly). `spikes` is the
 * output spike trace [T, N, C]; gradients flow into it (i.e. through the neurons' surrogate).
 */
export function spikeCountLoss(spikes: tf.Tensor, labels: tf.Tensor, options: SpikeCountOptions): tf.Scalar {
  if (spikes.rank !== 3) throw new LossError(`spikes must be a trace [T, N, C], got shape [${spikes.shape.join(', ')}]`);
  const [, N, C] = spikes.shape as [number, number, number];
  return tf.tidy(() => {
    const y = toTargets(labels, N, C);
    const target = tf.add(tf.mul(y, options.targetTrue), tf.mul(tf.sub(1, y), options.targetFalse));
    return tf.mean(tf.square(tf.sub(tf.sum(spikes, 0), target))) as tf.Scalar;
  });
}
