import * as tf from '@tensorflow/tfjs-core';
import type { CeLoss } from '@spikelite/schemas';
import { LossError } from './errors.js';
import { toTargets } from './targets.js';

/** Mean over the batch of −Σ_c y_c·log softmax(z)_c, for logits [N, C] and targets [N, C]. */
export function softmaxCe(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), -1))) as tf.Scalar);
}

export interface MembraneCeOptions {
  /** 'final': logits U(T); 'mean': logits U(T)/T. Default 'mean' (the schema's default). */
  readonly on?: CeLoss['on'];
  /** ε in [0, 1); targets (1 − ε)·y + ε/C. Default 0. */
  readonly labelSmoothing?: number;
  /** T; needed for on: 'mean' when `outputs` is U(T) [N, C] rather than a trace. */
  readonly timesteps?: number;
}

/** U(T) of an output integrator: `outputs` itself when [N, C], the last step when a trace [T, N, C]. */
export function finalMembrane(outputs: tf.Tensor): tf.Tensor2D {
  if (outputs.rank === 2) return outputs as tf.Tensor2D;
  if (outputs.rank === 3) {
    const [T, N, C] = outputs.shape as [number, number, number];
    if (T < 1) throw new LossError('membrane trace has no timesteps');
    return tf.reshape(tf.slice(outputs, [T - 1, 0, 0], [1, N, C]), [N, C]);
  }
  throw new LossError(`output membrane must be U(T) [N, C] or a trace [T, N, C], got shape [${outputs.shape.join(', ')}]`);
}

/**
 * Softmax cross-entropy on the output integrator's membrane (SPEC §4c). `outputs` is either
 * the final potential U(T) as [N, C], or the per-step membrane trace [T, N, C] whose entry t
 * is U(t + 1), the potential accumulated over steps 1..t+1 (so U(T) is the last entry).
 * 'final' takes U(T) as the logits (DIET); 'mean' takes U(T)/T, the per-step average input,
 * which keeps the logit scale independent of T. Labels: class indices [N] or one-hot [N, C].
 */
export function membraneCe(outputs: tf.Tensor, labels: tf.Tensor, options: MembraneCeOptions = {}): tf.Scalar {
  const on = options.on ?? 'mean';
  let T: number;
  if (outputs.rank === 3) {
    T = outputs.shape[0]!;
  } else {
    T = options.timesteps ?? NaN;
    if (on === 'mean' && !(Number.isInteger(T) && T >= 1)) {
      throw new LossError(`on: 'mean' of a final membrane [N, C] needs options.timesteps (a positive integer), got ${options.timesteps}`);
    }
  }
  return tf.tidy(() => {
    const u = finalMembrane(outputs);
    const [N, C] = u.shape;
    const logits = on === 'final' ? u : tf.div(u, T);
    return softmaxCe(logits, toTargets(labels, N, C, options.labelSmoothing ?? 0));
  });
}
