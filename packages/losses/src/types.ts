import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@spikelite/engine';
import type { LossKind, LossSpec } from '@spikelite/schemas';

/** Inputs of the FS fit loss (see `fsFitLoss`). */
export interface FsFitInputs {
  readonly f: tf.Tensor;
  readonly fhat: tf.Tensor;
  /** Scaled potentials per step: [K, ...] or a list of K tensors. */
  readonly vs: tf.Tensor | readonly tf.Tensor[];
  readonly importance?: tf.Tensor;
}

/**
 * What a model run hands to a loss. Each loss reads only the fields its definition `needs`.
 * - `membrane`: the output layer's membrane trace [T, N, C], entry t = U(t + 1), taken before
 *   any reset (for an integrator output there is none). `ce` also accepts U(T) as [N, C].
 * - `spikes`: the output spike trace [T, N, C] (0/1 with a surrogate gradient).
 * - `threshold`: θ of the output neurons, a number or a tensor broadcastable to [N, C].
 * - `fit`: the FS fitting inputs.
 */
export interface LossInputs {
  readonly membrane?: tf.Tensor;
  readonly spikes?: tf.Tensor;
  readonly threshold?: number | tf.Tensor;
  readonly fit?: FsFitInputs;
}

export type LossNeed = 'membrane' | 'spikes' | 'threshold' | 'fit' | 'labels';

/** Labels: class indices [N] (int32) or one-hot / soft rows [N, C]. Unused by `fsFit`. */
export type LossFn = (out: LossInputs, labels?: tf.Tensor) => tf.Scalar;

/** A loss built by `createLoss`: a function with its kind and what it reads. */
export type Loss = LossFn & { readonly kind: LossKind; readonly needs: readonly LossNeed[] };

export interface LossContext {
  /** Randomness for losses that draw (fsFit's regulariser weight c). */
  readonly rng?: Rng;
}

/** One registry entry: adding a loss is one file exporting this and one registry line. */
export interface LossDefinition<S extends LossSpec = LossSpec> {
  readonly kind: S['kind'];
  readonly needs: readonly LossNeed[];
  /** Build the loss; inputs listed in `needs` are checked to be present before it is called. */
  create(spec: S, context: LossContext): (out: LossInputs, labels: tf.Tensor) => tf.Scalar;
}
