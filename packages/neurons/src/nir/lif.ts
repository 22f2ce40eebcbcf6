/** NIR LIF: v += (dt/τ)·((v_leak − v) + r·I), spike when v > v_threshold, then v = v_reset (the dynamics: step.ts; the parameters: @spikelite/schemas nir-neuron.ts). */
import type { NeuronDefinition } from '../types.js';
import { NirNeuronLayer } from './layer.js';

export const nirLifNeuron: NeuronDefinition<'nirLif'> = {
  kind: 'nirLif',
  description: 'NIR LIF: v += (dt/τ)·((v_leak − v) + r·I), spike when v > v_threshold, then v = v_reset',
  create: (spec, ctx) => new NirNeuronLayer(spec, ctx),
  // Per update, from step.ts: β·v, α·I, their sum and k·v_leak, the comparison.
  updateOps: { mul: 2, add: 2, compare: 1 },
  maxSpikesPerImage: null,
  gradedSpikes: false,
  spiking: true,
};
