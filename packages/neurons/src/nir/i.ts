/** NIR I (integrator): v += g·I (g = dt·r or r, per convention), never spikes; its output is v (the dynamics: step.ts; the parameters: @spikelite/schemas nir-neuron.ts). */
import type { NeuronDefinition } from '../types.js';
import { NirNeuronLayer } from './layer.js';

export const nirINeuron: NeuronDefinition<'nirI'> = {
  kind: 'nirI',
  description: 'NIR I (integrator): v += g·I (g = dt·r or r, per convention), never spikes; its output is v',
  create: (spec, ctx) => new NirNeuronLayer(spec, ctx),
  // Per update, from step.ts.
  updateOps: { mul: 1, add: 1, compare: 0 },
  maxSpikesPerImage: 0,
  gradedSpikes: false,
  spiking: false,
};
