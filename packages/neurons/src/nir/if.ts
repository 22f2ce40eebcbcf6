/** NIR IF: v += g·I (g = dt·r or r, per convention), spike when v > v_threshold, then v = v_reset (the dynamics: step.ts; the parameters: @spikelite/schemas nir-neuron.ts). */
import type { NeuronDefinition } from '../types.js';
import { NirNeuronLayer } from './layer.js';

export const nirIfNeuron: NeuronDefinition<'nirIf'> = {
  kind: 'nirIf',
  description: 'NIR IF: v += g·I (g = dt·r or r, per convention), spike when v > v_threshold, then v = v_reset',
  create: (spec, ctx) => new NirNeuronLayer(spec, ctx),
  // Per update, from step.ts.
  updateOps: { mul: 1, add: 1, compare: 1 },
  maxSpikesPerImage: null,
  gradedSpikes: false,
  spiking: true,
};
