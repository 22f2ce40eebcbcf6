/** NIR CubaLI: the CubaLIF without threshold; its output is v (the dynamics: step.ts; the parameters: @spikelite/schemas nir-neuron.ts). */
import type { NeuronDefinition } from '../types.js';
import { NirNeuronLayer } from './layer.js';

export const nirCubaLiNeuron: NeuronDefinition<'nirCubaLi'> = {
  kind: 'nirCubaLi',
  description: 'NIR CubaLI: the CubaLIF without threshold; its output is v',
  create: (spec, ctx) => new NirNeuronLayer(spec, ctx),
  // Per update, from step.ts.
  updateOps: { mul: 4, add: 3, compare: 0 },
  maxSpikesPerImage: 0,
  gradedSpikes: false,
  spiking: false,
};
