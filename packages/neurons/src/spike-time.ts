/**
 * Spike-time bookkeeping kept in neuron state where a surrogate or a loss needs it.
 * All of it is non-differentiable state (the values are step indices, 0-based).
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Run `f` on `inputs` off the gradient tape: the ops inside are not recorded (so ops without
 * gradients, like comparisons, may be used on values that depend on trainable tensors), and
 * the result passes a zero gradient to every input. For non-differentiable neuron state.
 */
export function noGrad(f: (...xs: tf.Tensor[]) => tf.Tensor, ...inputs: tf.Tensor[]): tf.Tensor {
  const shapes = inputs.map((x) => x.shape);
  const g = tf.customGrad(((...args: unknown[]) => ({
    value: f(...(args.slice(0, inputs.length) as tf.Tensor[])),
    gradFunc: () => shapes.map((s) => tf.zeros(s)),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return g(...inputs);
}

/** Initial "last spike" time: far in the past, so STDB gives silent neurons ~no gradient (SPEC §4a). */
export const LAST_SPIKE_INIT = -1000;
/** First-spike time of a neuron that has not fired (yet). */
export const NO_SPIKE = -1;

/** `lastSpike` after step `t`: t where the neuron spiked, unchanged elsewhere. */
export function updateLastSpike(lastSpike: tf.Tensor, spikes: tf.Tensor, t: number): tf.Tensor {
  return noGrad((s, last) => tf.where(tf.greater(s!, 0), tf.scalar(t), last!), spikes, lastSpike);
}

/**
 * STDB's Δt at step `t` from the last spike time before this step: Δt = (t − 1) − t_last,
 * the ICLR-2020 code's definition (SPEC §4a, `@spikelite/schemas` StdbSurrogate). A spike at
 * the previous step gives Δt = 0; a neuron that never fired gives ≈ 1000 + t.
 */
export function timeSinceLastSpike(lastSpike: tf.Tensor, t: number): tf.Tensor {
  return noGrad((last) => tf.sub(t - 1, last!), lastSpike);
}

/** `firstSpike` after step `t`: t where the neuron spikes for the first time; NO_SPIKE (−1) until then. */
export function updateFirstSpike(firstSpike: tf.Tensor, spikes: tf.Tensor, t: number): tf.Tensor {
  return noGrad(
    (s, first) => tf.where(tf.logicalAnd(tf.greater(s!, 0), tf.less(first!, 0)), tf.scalar(t), first!),
    spikes,
    firstSpike,
  );
}

/**
 * First spike time of every neuron from a spike train [T, ...] (e.g. `runSteps(...).spikes`):
 * the 0-based step of the first spike, or `noSpike` (default T, "after the window") where
 * the neuron never fired. Non-differentiable.
 */
export function firstSpikeTimes(spikeTrain: tf.Tensor, noSpike?: number): tf.Tensor {
  return tf.tidy(() => {
    const T = spikeTrain.shape[0];
    if (T === undefined) throw new Error('firstSpikeTimes: spike train must have a leading time axis');
    const fired = tf.greater(spikeTrain, 0);
    // argMax returns the first maximum: the first step with a spike (0 when none fired).
    const first = tf.cast(tf.argMax(tf.cast(fired, 'int32'), 0), 'float32');
    const any = tf.any(fired, 0);
    return tf.where(any, first, tf.scalar(noSpike ?? T));
  });
}
