/**
 * One shard's share of a training step: loss, metrics and the gradient of every trainable
 * variable, flattened into one array (variables in the given order). Runs the same
 * computation as the serial trainer's step, on a slice of the batch.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@spikelite/engine';
import type { TrainTarget } from '../target.js';

export interface ShardResult {
  loss: number;
  hits: number;
  spikes: number;
  hasSpikes: boolean;
  /** Gradients of all variables, concatenated in variable order. */
  grads: Float32Array;
}

export function gradientLength(vars: readonly tf.Variable[]): number {
  return vars.reduce((a, v) => a + v.size, 0);
}

export function shardStep(target: TrainTarget, vars: readonly tf.Variable[], x: tf.Tensor, y: tf.Tensor, rng: Rng): ShardResult {
  let hasSpikes = false;
  const out = tf.tidy(() => {
    let hits: tf.Scalar | null = null;
    let spikes: tf.Scalar | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const r = target.lossAndPrediction(x, y, rng);
      hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(r.prediction.logits, -1), y), 'int32')) as tf.Scalar);
      hasSpikes = r.prediction.spikeCounts !== null;
      spikes = tf.keep(r.prediction.spikeCounts ? (tf.sum(r.prediction.spikeCounts) as tf.Scalar) : tf.scalar(0));
      return r.loss;
    }, vars as tf.Variable[]);
    return { value, grads, hits: hits!, spikes: spikes! };
  });
  const flat = new Float32Array(gradientLength(vars));
  let at = 0;
  for (const v of vars) {
    const g = out.grads[v.name];
    if (g === undefined) throw new Error(`shardStep: no gradient for '${v.name}'`);
    flat.set(g.dataSync() as Float32Array, at);
    at += v.size;
  }
  const result: ShardResult = {
    loss: out.value.dataSync()[0]!,
    hits: out.hits.dataSync()[0]!,
    spikes: out.spikes.dataSync()[0]!,
    hasSpikes,
    grads: flat,
  };
  tf.dispose([out.value, out.hits, out.spikes, ...Object.values(out.grads)]);
  return result;
}

/** Overwrite the variables with `values` (concatenated in variable order). */
export function assignFlat(vars: readonly tf.Variable[], values: Float32Array): void {
  let at = 0;
  tf.tidy(() => {
    for (const v of vars) {
      v.assign(tf.tensor(values.subarray(at, at + v.size), v.shape));
      at += v.size;
    }
  });
  if (at !== values.length) throw new Error(`assignFlat: ${values.length} values for ${at} weights`);
}

/** The variables' values, concatenated in order. */
export function readFlat(vars: readonly tf.Variable[]): Float32Array {
  const out = new Float32Array(gradientLength(vars));
  let at = 0;
  for (const v of vars) {
    out.set(v.dataSync() as Float32Array, at);
    at += v.size;
  }
  return out;
}
