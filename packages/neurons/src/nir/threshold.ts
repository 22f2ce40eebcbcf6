/** NIR Threshold: no state, s = H(I − v_threshold) at every step (the dynamics: step.ts; the parameters: @spikelite/schemas nir-neuron.ts). */
import type { NeuronDefinition } from '../types.js';
import { NirNeuronLayer } from './layer.js';

export const nirThresholdNeuron: NeuronDefinition<'nirThreshold'> = {
  kind: 'nirThreshold',
  description: 'NIR Threshold: no state, spike when I > v_threshold',
  create: (spec, ctx) => new NirNeuronLayer(spec, ctx),
  // Per update, from step.ts: α·I (α = 1) and the comparison.
  updateOps: { mul: 1, add: 0, compare: 1 },
  maxSpikesPerImage: null,
  gradedSpikes: false,
  spiking: true,
};
