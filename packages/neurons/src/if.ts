/**
 * Integrate-and-fire: the LIF of lif.ts with λ = 1 fixed (no multiply), order 'current',
 * one threshold per layer (trainable, as DIET trains θ; conversion sets it with
 * `setParameter('threshold', …)`):
 *   u₁ = u(t−1) + I(t);  s = H(u₁/θ − 1);  u(t) = u₁ − θ·s̄ (soft) | u₁·(1 − s̄) (hard)
 */
import type * as tf from '@tensorflow/tfjs-core';
import { LifLayer, lifStep, type LifParams, type LifState } from './lif.js';
import type { NeuronDefinition, StepResult } from './types.js';

/** IF parameters: those of LIF without the leak, order 'current'. */
export type IfParams = Omit<LifParams, 'leak' | 'order'>;

/** One IF step (λ = 1). */
export function ifStep(input: tf.Tensor, state: LifState, params: IfParams, t: number): StepResult {
  return lifStep(input, state, { ...params, leak: null, order: 'current' }, t);
}

/** An IF layer is a {@link LifLayer} built from an `if` spec (its `leak` is null). */
export const IfLayer = LifLayer;

export const ifNeuron: NeuronDefinition<'if'> = {
  kind: 'if',
  description: 'integrate-and-fire: u = u + I, s = H(u/θ − 1), soft reset (LIF with λ = 1)',
  create: (spec, ctx) => new LifLayer(spec, ctx),
  // + I and − θ·s (2 adds), u vs θ (1 compare).
  updateOps: { mul: 0, add: 2, compare: 1 },
  maxSpikesPerImage: null,
  gradedSpikes: false,
  spiking: true,
};
