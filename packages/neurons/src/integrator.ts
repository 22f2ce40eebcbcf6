/**
 * Output integrator (SPEC §4a): U(t) = U(t−1) + I(t), U(−1) = 0, no leak, never spikes.
 * Its `spikes` output is the membrane U(t) itself: the model reads the accumulated
 * potential (the logits are U(T−1), the last step's output), so the integrator slots into
 * the same step loop as the spiking layers.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { IntegratorNeuron } from '@spikelite/schemas';
import type { NeuronContext, NeuronDefinition, NeuronState, StepNeuronLayer, StepResult } from './types.js';

export interface IntegratorState extends NeuronState {
  readonly u: tf.Tensor;
}

/** One integrator step: u = u + I; returns u as `spikes`. */
export function integratorStep(input: tf.Tensor, state: IntegratorState): StepResult {
  const u = tf.add(state.u, input);
  return { spikes: u, state: { u } };
}

export class IntegratorLayer implements StepNeuronLayer {
  readonly mode = 'step' as const;
  readonly spec: IntegratorNeuron;
  readonly name: string;
  readonly variables: readonly tf.Variable[] = [];

  constructor(spec: IntegratorNeuron, ctx: NeuronContext) {
    this.spec = spec;
    this.name = ctx.name;
  }

  initState(shape: readonly number[]): NeuronState {
    return { u: tf.zeros([...shape]) };
  }

  step(input: tf.Tensor, state: NeuronState): StepResult {
    return integratorStep(input, state as IntegratorState);
  }

  constrain(): void {}

  setParameter(name: string): void {
    throw new Error(`${this.name}: the integrator has no parameter '${name}'`);
  }

  getParameter(name: string): number[] {
    throw new Error(`${this.name}: the integrator has no parameter '${name}'`);
  }

  dispose(): void {}
}

export const integratorNeuron: NeuronDefinition<'integrator'> = {
  kind: 'integrator',
  description: 'output integrator: U = U + I, never spikes; its output is the membrane U',
  create: (spec, ctx) => new IntegratorLayer(spec, ctx),
  updateOps: { mul: 0, add: 1, compare: 0 },
  maxSpikesPerImage: 0,
  gradedSpikes: false,
  spiking: false,
};
