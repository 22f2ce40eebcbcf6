/** Run a step layer over a whole input sequence. */
import * as tf from '@tensorflow/tfjs-core';
import type { NeuronState, StepNeuronLayer } from './types.js';

export interface RunStepsResult {
  /** Per-step outputs stacked on a leading time axis: [T, N, ...]. */
  readonly spikes: tf.Tensor;
  readonly finalState: NeuronState;
}

/**
 * Feed `inputs` ([T, N, ...]) to `layer` one step at a time, from `initialState` (default:
 * the layer's zero state). Differentiable end to end (BPTT through every step).
 * Intermediate tensors are released (tidy); the outputs belong to the caller.
 */
export function runSteps(layer: StepNeuronLayer, inputs: tf.Tensor, initialState?: NeuronState): RunStepsResult {
  if (inputs.rank < 2) throw new Error(`runSteps: inputs must be [T, N, ...], got shape [${inputs.shape.join(', ')}]`);
  return tf.tidy(() => {
    const steps = tf.unstack(inputs, 0);
    let state = initialState ?? layer.initState(inputs.shape.slice(1));
    const out: tf.Tensor[] = [];
    steps.forEach((x, t) => {
      const r = layer.step(x, state, t);
      out.push(r.spikes);
      state = r.state;
    });
    return { spikes: tf.stack(out, 0), finalState: state as tf.NamedTensorMap };
  }) as RunStepsResult;
}
