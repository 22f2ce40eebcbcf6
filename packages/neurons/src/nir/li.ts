/** NIR LI: v += (dt/τ)·((v_leak − v) + r·I), never spikes; its output is v (the dynamics: step.ts; the parameters: @spikelite/schemas nir-neuron.ts). */
import type { NeuronDefinition } from '../types.js';
import { NirNeuronLayer } from './layer.js';

export const nirLiNeuron: NeuronDefinition<'nirLi'> = {
  kind: 'nirLi',
  description: 'NIR LI: v += (dt/τ)·((v_leak − v) + r·I), never spikes; its output is v',
  create: (spec, ctx) => new NirNeuronLayer(spec, ctx),
  // Per update, from step.ts: β·v, α·I, their sum and k·v_leak.
  updateOps: { mul: 2, add: 2, compare: 0 },
  maxSpikesPerImage: 0,
  gradedSpikes: false,
  spiking: false,
};
