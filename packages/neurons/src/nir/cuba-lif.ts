/** NIR CubaLIF: i += (dt/τ_syn)·(w_in·S − i), v += (dt/τ_mem)·((v_leak − v) + r·i), spike and reset as LIF (the dynamics: step.ts; the parameters: @spikelite/schemas nir-neuron.ts). */
import type { NeuronDefinition } from '../types.js';
import { NirNeuronLayer } from './layer.js';

export const nirCubaLifNeuron: NeuronDefinition<'nirCubaLif'> = {
  kind: 'nirCubaLif',
  description: 'NIR CubaLIF: i += (dt/τ_syn)·(w_in·S − i), v += (dt/τ_mem)·((v_leak − v) + r·i), spike and reset as LIF',
  create: (spec, ctx) => new NirNeuronLayer(spec, ctx),
  // Per update, from step.ts.
  updateOps: { mul: 4, add: 3, compare: 1 },
  maxSpikesPerImage: null,
  gradedSpikes: false,
  spiking: true,
};
