/** The FS neuron kind for the registry (SPEC §3a). */
import type { NeuronDefinition } from '../types.js';
import { FsLayer } from './layer.js';

export const fsNeuron: NeuronDefinition<'fs'> = {
  kind: 'fs',
  description:
    'FS neuron (Stöckl & Maass): K internal steps on one analog input, spike when v(t) ≥ T(t), emits d(t), subtracts h(t); approximates relu/silu/sigmoid or a fitted function',
  create(spec, ctx) {
    return new FsLayer(spec, ctx.name);
  },
  // Per internal step (the layer runs `steps` = K of them per image): one compare v ≥ T(t) and
  // one subtraction v − h(t) on a spike (counted every step as the bound). Setting v(1) = x is
  // free; the weighting by d(t) happens in the next layer's synapses (gradedSpikes).
  updateOps: { mul: 0, add: 1, compare: 1 },
  // At most K per image, but K depends on the spec: see the layer's `steps`.
  maxSpikesPerImage: null,
  gradedSpikes: true,
  spiking: true,
};
